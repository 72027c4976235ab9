// --listen parsing (see listen_address.h).

#include "server/cli/listen_address.h"

#include <charconv>

namespace tally::server::cli {

std::string ListenAddress::with_port(int bound_port) const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(bound_port);
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
    const auto bad = [&](const std::string& why) {
        return make_error("usage", "--listen '" + std::string(text) + "': " + why +
                                       " (expected HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:0)");
    };
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return bad("no port");
    }
    ListenAddress out;
    auto host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') {
            return bad("unbalanced brackets");
        }
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return bad("an IPv6 host needs brackets");
    }
    out.host = std::string(host);
    const auto port = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || out.port < 0 ||
        out.port > 65535) {
        return bad("the port must be 0-65535");
    }
    return out;
}

}  // namespace tally::server::cli
