#pragma once
// A simulated device of the load generator: a real P-256 key, the device id the server gave
// it at pairing, and its own heartbeat stream (seq, hash chain, 5-minute intervals going
// forward from a start time inside the server's backfill window).

#include <cstdint>
#include <string>

#include "pairing/crypto.h"
#include "pairing/heartbeat.h"

namespace tally::bench {

struct SimDevice {
    pairing::SoftwareKey key;
    std::string device_id;
    std::uint64_t next_seq = 1;
    std::string prev = pairing::kGenesisPrev;
    std::int64_t next_start = 0;  //!< start of the next heartbeat, Unix seconds
    std::uint32_t index = 0;      //!< position in the fleet (hostname, principal)
};

}  // namespace tally::bench
