#pragma once
// Resolves a host and opens a non-blocking TCP connection to the first address that
// answers before the deadline (TCP_NODELAY, SO_KEEPALIVE, close-on-exec).

#include <cstdint>
#include <string>

#include "platform/linux/net_status.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {

struct TcpConnection {
    UniqueFd fd;
    NetStatus status;
};

//! `role` names the peer in messages ("server", "proxy").
TcpConnection tcp_connect(const std::string& host, std::uint16_t port, const char* role,
                          IoDeadline::Clock::time_point deadline);

}  // namespace tally::platform
