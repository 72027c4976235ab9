#pragma once
// Parsing of the two URL forms the transport meets: the server's https:// URL and an
// http:// proxy URL (optionally with user:password, as in HTTPS_PROXY).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tally::platform {

struct HttpsUrl {
    std::string host;  //!< without IPv6 brackets
    std::uint16_t port = 443;
    std::string target = "/";  //!< path and query, as sent in the request line
    //! "host" or "host:port" (brackets around IPv6), as the Host header and CONNECT want it.
    std::string authority() const;
};

//! nullopt unless `url` is https://host[:port][/path]; no userinfo, no fragment.
std::optional<HttpsUrl> parse_https_url(std::string_view url);

struct ProxyUrl {
    std::string host;
    std::uint16_t port = 1080;
    std::string user;  //!< percent-decoded; empty: no authentication
    std::string password;
};

//! "[http://][user:password@]host[:port][/]"; nullopt for other schemes (https://, socks).
std::optional<ProxyUrl> parse_proxy_url(std::string_view url);

//! True when `host` is an IPv4 or IPv6 literal (no SNI, IP SAN verification).
bool is_ip_literal(const std::string& host);

}  // namespace tally::platform
