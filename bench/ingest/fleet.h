#pragma once
// Pre-pairs a fleet of simulated devices through the server's public POST /v1/pair with one
// reusable pairing code, and builds their signed gzip upload bodies (PROTOCOL.md §4, §5).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/ingest/sim_device.h"
#include "bench/ingest/tls_connection.h"
#include "pairing/result.h"

namespace tally::bench {

struct FleetOptions {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string code;
    std::size_t devices = 100;
    int threads = 8;  //!< the server answers 8 connections at once (cpp-httplib pool)
    //! Pairing is rate limited per source address (30 at once, then 0.5/s): pairs are spread
    //! over loopback addresses 127.<a>.<b>.<c>, at most this many pairs per address.
    std::size_t pairs_per_source = 25;
    std::int64_t first_start = 0;  //!< every device's first heartbeat starts here
};

struct PairingStats {
    double seconds = 0;
    std::size_t paired = 0;
    std::uint64_t handshakes = 0;
};

Result<PairingStats> pair_fleet(const std::shared_ptr<TlsContext>& ctx, const FleetOptions& opts,
                                std::vector<SimDevice>& out);

//! One upload request: the device and its exact signed body.
struct SignedBatch {
    std::uint32_t device = 0;
    std::uint32_t heartbeats = 0;
    std::string body;
    std::string signature;
};

//! Builds the device's next batch of `count` heartbeats (advancing seq, chain and time).
SignedBatch make_batch(SimDevice& device, std::uint32_t count, std::int64_t now);

//! Loopback source address number `i` (127.10.x.y), never 127.0.0.1.
std::string source_address(std::size_t i);

}  // namespace tally::bench
