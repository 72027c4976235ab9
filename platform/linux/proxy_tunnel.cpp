// open_proxy_tunnel: CONNECT request, answer read up to the blank line (the server sends
// nothing before our TLS ClientHello, so nothing past it can arrive).

#include "platform/linux/proxy_tunnel.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "pairing/bytes.h"

namespace tally::platform {

using agent::TransportError;

NetStatus open_proxy_tunnel(int fd, const ProxyUrl& proxy, const HttpsUrl& target,
                            IoDeadline::Clock::time_point deadline) {
    const std::string where = "proxy " + proxy.host + " port " + std::to_string(proxy.port);
    std::string authority = target.authority();
    if (target.port == 443)
        authority += ":443";  // CONNECT always names the port
    std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy.user.empty()) {
        const std::string credentials = proxy.user + ":" + proxy.password;
        request +=
            "Proxy-Authorization: Basic " +
            pairing::base64_encode(std::span<const std::uint8_t>(
                reinterpret_cast<const std::uint8_t*>(credentials.data()), credentials.size())) +
            "\r\n";
    }
    request += "\r\n";
    std::size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) == 0)
                return net_failure(TransportError::timeout, "the " + where + " timed out");
            continue;
        }
        return net_failure(TransportError::connect,
                           "cannot talk to the " + where + ": " + std::strerror(errno));
    }
    std::string answer;
    while (answer.find("\r\n\r\n") == std::string::npos) {
        if (answer.size() > 16 * 1024)
            return net_failure(TransportError::connect,
                               "the " + where + " sent an oversized answer");
        char buf[1024];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            answer.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0)
            return net_failure(TransportError::connect,
                               "the " + where + " closed the connection during CONNECT");
        if (errno == EAGAIN || errno == EINTR) {
            if (wait_fd(fd, POLLIN, deadline) == 0)
                return net_failure(TransportError::timeout,
                                   "the " + where + " did not answer CONNECT in time");
            continue;
        }
        return net_failure(TransportError::connect,
                           "cannot talk to the " + where + ": " + std::strerror(errno));
    }
    // "HTTP/1.1 200 Connection established"
    const std::string status_line = answer.substr(0, answer.find("\r\n"));
    const auto space = status_line.find(' ');
    const std::string code =
        space == std::string::npos ? std::string() : status_line.substr(space + 1, 3);
    if (!status_line.starts_with("HTTP/") || code.size() != 3 || code[0] != '2') {
        std::string why = code == "407"
                              ? (proxy.user.empty() ? " (the proxy requires authentication)"
                                                    : " (the proxy refused the credentials)")
                              : std::string();
        return net_failure(TransportError::connect, "the " + where + " refused the tunnel to " +
                                                        authority + ": HTTP " +
                                                        (code.empty() ? "?" : code) + why);
    }
    return {};
}

}  // namespace tally::platform
