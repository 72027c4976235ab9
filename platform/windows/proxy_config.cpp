// Parses the configured proxy URL for WinHTTP (see proxy_config.h).

#include "platform/windows/proxy_config.h"

#include <cctype>

namespace tally::platform {
namespace {

std::optional<std::string> percent_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
            return std::nullopt;
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
    }
    return out;
}

}  // namespace

Result<ProxyConfig> parse_proxy_url(const std::string& url) {
    auto bad = [&](const std::string& why) {
        return make_error("bad_config", "config key 'proxy': " + why + " (expected "
                                        "http://[user:pass@]host:port)");
    };
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0)
        return bad("only http:// proxies are supported");
    std::string rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/')
        rest.pop_back();
    if (rest.find('/') != std::string::npos)
        return bad("a proxy URL has no path");
    ProxyConfig out;
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        const std::string userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = userinfo.find(':');
        auto user = percent_decode(userinfo.substr(0, colon));
        auto pass = percent_decode(colon == std::string::npos ? "" : userinfo.substr(colon + 1));
        if (!user || !pass || user->empty())
            return bad("malformed user:password");
        out.user = *user;
        out.password = *pass;
    }
    if (rest.empty() || rest.front() == ':')
        return bad("no host");
    const auto colon = rest.rfind(':');
    const bool bracketed = rest.front() == '[';
    const bool has_port = colon != std::string::npos && (!bracketed || rest[colon - 1] == ']');
    if (has_port) {
        const std::string port = rest.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
            std::stoi(port) > 65535)
            return bad("port must be 1-65535");
        out.server = rest;
    } else {
        out.server = rest + ":80";
    }
    return out;
}

}  // namespace tally::platform
