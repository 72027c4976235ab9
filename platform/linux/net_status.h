#pragma once
// The outcome of one network step of the TLS transport: none, or a TransportError with a
// message fit for logs and status (never containing credentials).

#include <chrono>
#include <string>

#include "agent/interfaces/http_transport.h"

namespace tally::platform {

struct NetStatus {
    agent::TransportError error = agent::TransportError::none;
    std::string message;
    bool ok() const { return error == agent::TransportError::none; }
};

inline NetStatus net_failure(agent::TransportError error, std::string message) {
    return NetStatus{error, std::move(message)};
}

//! The deadlines one request runs under: a total limit, and a stall limit that restarts
//! whenever bytes move (libcurl's LOW_SPEED_LIMIT 1 byte/s for stall seconds).
struct IoDeadline {
    using Clock = std::chrono::steady_clock;
    Clock::time_point total;
    std::chrono::seconds stall{30};
    std::chrono::seconds total_limit{120};

    //! When the current wait must give up (progress just happened).
    Clock::time_point next() const { return std::min(total, Clock::now() + stall); }
    //! The timeout after a wait that ran out.
    NetStatus timed_out(const std::string& what) const;
};

//! Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or `deadline`: 1 ready, 0 timed
//! out, -1 error (errno set). EINTR is retried.
int wait_fd(int fd, short events, IoDeadline::Clock::time_point deadline);

}  // namespace tally::platform
