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

NetStatus IoDeadline::timed_out(const std::string& what) const {
    if (Clock::now() >= total) {
        return net_failure(
            agent::TransportError::timeout,
            "operation timed out after " + std::to_string(total_limit.count()) + " s " + what);
    }
    return net_failure(
        agent::TransportError::timeout,
        "no data moved for " + std::to_string(stall.count()) + " s " + what + " (stalled)");
}

}  // namespace tally::platform
