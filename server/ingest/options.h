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
    // Rate limits (token buckets: burst, then per second; burst 0 = unlimited). Pairing is
    // limited per source address (pair_gate.h): failed attempts (guessing codes) by
    // pair_burst/pair_per_second, valid pairings only by a generous ceiling (RMM mass
    // deployment behind one NAT). Uploads per Tally-Device (a runaway or replaying client).
    // An agent draining a backlog sends one batch after another, so the upload burst is
    // generous; 429 carries Retry-After and the agent honours it.
    double pair_burst = 30;  //!< failed pairing attempts per address
    double pair_per_second = 0.5;
    double pair_valid_burst = 1000;  //!< valid pairings per address: a ceiling only
    double pair_valid_per_second = 10;
    double upload_burst = 120;
    double upload_per_second = 2;
};

}  // namespace tally::server
