#pragma once
// The bounds of the HTTPS front. Every connection is in one phase with one deadline: the TLS
// handshake, the first request's header, the wait for the next request on a kept-alive
// connection (header included), the body, the answer's write. Past a deadline the
// connection is closed. Connections over the overall or per-address count are closed as
// soon as they are accepted, before any TLS work.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <thread>

namespace tally::server {

struct FrontLimits {
    std::chrono::milliseconds handshake_timeout{5000};
    std::chrono::milliseconds header_timeout{10000};
    std::chrono::milliseconds idle_timeout{5000};
    std::chrono::milliseconds body_timeout{60000};
    std::chrono::milliseconds write_timeout{30000};
    //! How long stop() lets in-flight requests finish before the connections are cut.
    std::chrono::milliseconds shutdown_grace{30000};
    std::size_t max_header_bytes = 16 * 1024;  //!< request line and header fields
    std::size_t max_header_count = 64;
    std::size_t max_connections = 16384;  //!< kept under the descriptor limit
    std::size_t max_connections_per_address = 256;
    //! Threads that verify signatures and run database work; the event loop never does. An
    //! upload does not hold its worker through the commit (the group commit answers it), so
    //! this no longer bounds how many batches one commit holds; a blocking route (pairing,
    //! admin) still waits on its worker (bench/README.md, issue 20 part B).
    std::size_t workers = 64;
    //! Threads running the event loop (TLS records are encrypted and decrypted there).
    std::size_t io_threads = std::max(1u, std::thread::hardware_concurrency());
};

}  // namespace tally::server
