#pragma once
// The outcome of one network step of the TLS transport: none, or a TransportError with a
// message fit for logs and status (never containing credentials).

#include <algorithm>
#include <chrono>
#include <cstddef>
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

//! The deadlines one request runs under: a total limit, a stall limit that restarts
//! whenever bytes move, and, once the request is sent, a low-speed limit: at least
//! low_speed_bytes of the answer in every low_speed_window (libcurl's LOW_SPEED_LIMIT/TIME).
struct IoDeadline {
    using Clock = std::chrono::steady_clock;
    Clock::time_point total;
    std::chrono::seconds stall{30};
    std::chrono::seconds total_limit{120};
    std::size_t low_speed_bytes = 0;
    std::chrono::seconds low_speed_window{0};
    Clock::time_point window_end = Clock::time_point::max();
    std::size_t window_bytes = 0;
    //! When the low-speed rule fails the current window unless more bytes arrive.
    Clock::time_point low_speed_check = Clock::time_point::max();

    //! When the current wait must give up (progress just happened).
    Clock::time_point next() const {
        return std::min({total, Clock::now() + stall, low_speed_check});
    }
    //! The timeout after a wait that ran out.
    NetStatus timed_out(const std::string& what) const;
    //! Starts the low-speed rule (a window of 0 leaves it off).
    void start_low_speed(std::size_t bytes, std::chrono::seconds window);
    //! Counts `n` answer bytes; fails when a window closed with fewer than low_speed_bytes.
    NetStatus received(std::size_t n, const std::string& what);
};

//! Waits until `fd` is ready for `events` (POLLIN/POLLOUT) or `deadline`: 1 ready, 0 timed
//! out, -1 error (errno set). EINTR is retried.
int wait_fd(int fd, short events, IoDeadline::Clock::time_point deadline);

}  // namespace tally::platform
