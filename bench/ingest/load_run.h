#pragma once
// Sends prepared signed batches over several keep-alive TLS connections, either as fast as
// the server answers (closed loop) or at a fixed rate (open loop: latency is measured from
// each batch's scheduled send time, so a slow server cannot hide its queueing).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/ingest/fleet.h"
#include "bench/ingest/tls_connection.h"

namespace tally::bench {

struct LoadOptions {
    std::string host = "127.0.0.1";
    int port = 0;
    int connections = 4;
    double rate = 0;  //!< batches per second; 0 = full speed
    int server_pid = 0;
    //! Like real agents: every batch on a new connection, left open afterwards (the agent keeps
    //! it in its cache until the server closes it); closed at the end of the run.
    bool connection_per_batch = false;
};

struct LoadResult {
    double seconds = 0;
    std::uint64_t batches_ok = 0;
    std::uint64_t heartbeats_accepted = 0;  //!< sum of the acks' `accepted`
    std::uint64_t failed = 0;               //!< non-200 answers and transport errors
    std::uint64_t unsent = 0;  //!< fixed rate: batches dropped once the run fell 3× behind
    std::string first_failure;
    double p50_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
    double server_cpu_s = 0;          //!< server CPU seconds spent during the run
    double client_cpu_s = 0;          //!< this load generator's CPU seconds (same 2 cores)
    std::uint64_t server_rss_kb = 0;  //!< server RSS at the end
    std::uint64_t server_hwm_kb = 0;  //!< server peak RSS so far
    std::uint64_t handshakes = 0;
};

LoadResult run_load(const std::shared_ptr<TlsContext>& ctx, const LoadOptions& opts,
                    const std::vector<SimDevice>& devices, const std::vector<SignedBatch>& batches);

}  // namespace tally::bench
