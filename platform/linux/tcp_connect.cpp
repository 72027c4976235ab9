// tcp_connect: getaddrinfo, then a non-blocking connect per address with poll().

#include "platform/linux/tcp_connect.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "platform/linux/https_url.h"

namespace tally::platform {

using agent::TransportError;

TcpConnection tcp_connect(const std::string& host, std::uint16_t port, const char* role,
                          IoDeadline::Clock::time_point deadline) {
    TcpConnection out;
    const std::string where = std::string(role) + " " + host + " port " + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    // An address needs no lookup (AI_ADDRCONFIG would ask netlink, then nscd, every time).
    hints.ai_flags = is_ip_literal(host) ? AI_NUMERICHOST : AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        out.status =
            net_failure(TransportError::resolve, "could not resolve " + std::string(role) +
                                                     " host " + host + ": " + ::gai_strerror(rc));
        return out;
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    int last_errno = ECONNREFUSED;
    for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                             ai->ai_protocol));
        if (!fd.valid()) {
            last_errno = errno;
            continue;
        }
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last_errno = errno;
                continue;
            }
            const int ready = wait_fd(fd.get(), POLLOUT, deadline);
            if (ready == 0) {
                out.status =
                    net_failure(TransportError::timeout, "connection to " + where + " timed out");
                return out;
            }
            int err = 0;
            socklen_t len = sizeof err;
            if (ready < 0)
                err = errno;
            else if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                err = errno;
            if (err != 0) {
                last_errno = err;
                continue;
            }
        }
        const int one = 1;
        (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        (void)::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        out.fd = std::move(fd);
        return out;
    }
    out.status = net_failure(TransportError::connect,
                             "failed to connect to " + where + ": " + std::strerror(last_errno));
    return out;
}

}  // namespace tally::platform
