// wait_fd and IoDeadline::timed_out (see net_status.h).

#include <poll.h>

#include <cerrno>

#include "platform/linux/net_status.h"

namespace tally::platform {

int wait_fd(int fd, short events, IoDeadline::Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - IoDeadline::Clock::now());
        if (left.count() <= 0)
            return 0;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n > 0)
            return 1;  // POLLERR/POLLHUP also end the wait: the next call reports them
    }
}

namespace {

NetStatus too_slow(const IoDeadline& d, const std::string& what) {
    return net_failure(agent::TransportError::timeout,
                       "fewer than " + std::to_string(d.low_speed_bytes) + " bytes in " +
                           std::to_string(d.low_speed_window.count()) + " s " + what +
                           " (too slow)");
}

}  // namespace

void IoDeadline::start_low_speed(std::size_t bytes, std::chrono::seconds window) {
    low_speed_bytes = bytes;
    low_speed_window = window;
    window_bytes = 0;
    if (window.count() <= 0 || bytes == 0) {
        window_end = low_speed_check = Clock::time_point::max();
        return;
    }
    window_end = low_speed_check = Clock::now() + window;
}

NetStatus IoDeadline::received(std::size_t n, const std::string& what) {
    if (window_end == Clock::time_point::max())
        return {};
    const auto now = Clock::now();
    while (now >= window_end) {  // windows that closed before these bytes came
        if (window_bytes < low_speed_bytes)
            return too_slow(*this, what);
        window_bytes = 0;
        window_end += low_speed_window;
    }
    window_bytes += n;
    low_speed_check = window_bytes >= low_speed_bytes ? window_end + low_speed_window : window_end;
    return {};
}

NetStatus IoDeadline::timed_out(const std::string& what) const {
    // poll() waits in whole milliseconds, so a wait may end just short of its deadline.
    const auto now = Clock::now() + std::chrono::milliseconds(1);
    if (now >= low_speed_check && now < total)
        return too_slow(*this, what);
    if (now >= total) {
        return net_failure(
            agent::TransportError::timeout,
            "operation timed out after " + std::to_string(total_limit.count()) + " s " + what);
    }
    return net_failure(
        agent::TransportError::timeout,
        "no data moved for " + std::to_string(stall.count()) + " s " + what + " (stalled)");
}

}  // namespace tally::platform
