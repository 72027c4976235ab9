// HTTPS and proxy URL parsing (see https_url.h).

#include "platform/linux/https_url.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace tally::platform {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
            return false;
    }
    return true;
}

//! host[:port] or [v6][:port]; false when malformed.
bool split_host_port(std::string_view hp, std::string& host, std::uint16_t& port) {
    std::string_view port_text;
    if (hp.starts_with('[')) {
        const auto close = hp.find(']');
        if (close == std::string_view::npos)
            return false;
        host = std::string(hp.substr(1, close - 1));
        auto rest = hp.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':'))
                return false;
            port_text = rest.substr(1);
        }
        if (!is_ip_literal(host))
            return false;
    } else {
        const auto colon = hp.find(':');
        host = std::string(hp.substr(0, colon));
        if (colon != std::string_view::npos)
            port_text = hp.substr(colon + 1);
    }
    if (host.empty())
        return false;
    for (char c : host) {
        const auto u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == ':'))
            return false;
    }
    if (hp.find(':') != std::string_view::npos && port_text.empty() && !hp.starts_with('['))
        return false;  // "host:" without digits
    if (!port_text.empty()) {
        unsigned value = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
            value > 65535)
            return false;
        port = static_cast<std::uint16_t>(value);
    }
    return true;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            unsigned v = 0;
            auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
            if (ec == std::errc() && end == s.data() + i + 3) {
                out += static_cast<char>(v);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

}  // namespace

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string HttpsUrl::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return port == 443 ? h : h + ":" + std::to_string(port);
}

std::optional<HttpsUrl> parse_https_url(std::string_view url) {
    constexpr std::string_view scheme = "https://";
    if (!starts_with_ci(url, scheme))
        return std::nullopt;
    url.remove_prefix(scheme.size());
    if (const auto hash = url.find('#'); hash != std::string_view::npos)
        url = url.substr(0, hash);
    const auto end = url.find_first_of("/?");
    std::string_view hp = url.substr(0, end);
    if (hp.find('@') != std::string_view::npos)
        return std::nullopt;
    HttpsUrl out;
    if (!split_host_port(hp, out.host, out.port))
        return std::nullopt;
    if (end != std::string_view::npos) {
        out.target = std::string(url.substr(end));
        if (out.target.starts_with('?'))
            out.target.insert(0, "/");
    }
    for (char c : out.target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return std::nullopt;  // no spaces or controls in the request line
    }
    return out;
}

std::optional<ProxyUrl> parse_proxy_url(std::string_view url) {
    if (const auto sep = url.find("://"); sep != std::string_view::npos) {
        if (!starts_with_ci(url, "http://"))
            return std::nullopt;
        url.remove_prefix(sep + 3);
    }
    while (url.ends_with('/'))
        url.remove_suffix(1);
    ProxyUrl out;
    if (const auto at = url.rfind('@'); at != std::string_view::npos) {
        auto userinfo = url.substr(0, at);
        url.remove_prefix(at + 1);
        const auto colon = userinfo.find(':');
        out.user = percent_decode(userinfo.substr(0, colon));
        if (colon != std::string_view::npos)
            out.password = percent_decode(userinfo.substr(colon + 1));
    }
    if (url.find('/') != std::string_view::npos)
        return std::nullopt;
    if (!split_host_port(url, out.host, out.port))
        return std::nullopt;
    return out;
}

}  // namespace tally::platform
