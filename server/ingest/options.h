#pragma once
// Limits and defaults of the request handlers (PROTOCOL.md §4, §5).

#include <cstddef>
#include <cstdint>

#include "pairing/messages.h"

namespace tally::server {

struct IngestOptions {
    std::int64_t max_backfill_days = 35;                //!< oldest accepted heartbeat end
    std::int64_t max_future_s = 5 * 60;                 //!< newest accepted heartbeat end
    std::int64_t pair_clock_skew_s = 10 * 60;           //!< pair request `time` window
    std::size_t max_inflated_bytes = 16 * 1024 * 1024;  //!< gzip bomb cap
    pairing::Policy policy;                             //!< sent to newly paired agents
};

}  // namespace tally::server
