#pragma once
// A batch: what one POST /v1/heartbeats carries (PROTOCOL.md §4). Heartbeats travel as their
// exact encoded bytes (a JSON string each) so the chain and fork checks work on bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::pairing {

//! Heartbeats the agent had to drop (spool full, corrupt spool) declared instead of hidden.
struct Gap {
    std::uint64_t from_seq = 0;  //!< first lost seq
    std::uint64_t to_seq = 0;    //!< last lost seq (inclusive)
    std::string reason;          //!< "spool_full", "spool_corrupt", ...

    std::uint64_t count() const { return to_seq - from_seq + 1; }
    bool operator==(const Gap&) const = default;
};

struct Batch {
    std::string device_id;
    std::int64_t sent_at = 0;             //!< agent's clock, Unix seconds
    std::vector<std::string> heartbeats;  //!< encoded heartbeat bytes, ascending seq
    std::vector<Gap> gaps;
};

std::string encode_batch(const Batch& batch);
//! Validates structure only; each heartbeat is decoded separately by the receiver.
Result<Batch> decode_batch(std::string_view json);

}  // namespace tally::pairing
