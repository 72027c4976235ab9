#pragma once
// Which proxy, if any, carries a request: the configured proxy, else HTTPS_PROXY /
// https_proxy / ALL_PROXY / all_proxy from the environment; NO_PROXY / no_proxy wins over
// both (as libcurl does).

#include <functional>
#include <string>
#include <string_view>

namespace tally::platform {

//! Reads an environment variable; nullptr when unset. Tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;

//! The proxy URL to use for `host`, or empty for a direct connection.
std::string select_proxy(const std::string& configured, const std::string& host,
                         const EnvLookup& env);

//! NO_PROXY matching: "*" matches all; entries are host names (matching the name and its
//! subdomains, a leading dot ignored), IP literals (exact) or IPv4 CIDR blocks; comma or
//! space separated, case-insensitive; a ":port" suffix on an entry is ignored.
bool no_proxy_matches(std::string_view no_proxy, const std::string& host);

}  // namespace tally::platform
