#pragma once
// The `proxy` config key (http://[user:pass@]host:port) in the form WinHTTP takes: a named
// proxy "host:port" plus Basic credentials, percent-decoded.

#include <optional>
#include <string>

#include "pairing/result.h"

namespace tally::platform {

struct ProxyConfig {
    std::string server;  //!< "host:port" for WINHTTP_ACCESS_TYPE_NAMED_PROXY
    std::string user;    //!< empty: no Basic credentials (Negotiate/NTLM as the machine)
    std::string password;
};

//! Error naming the problem when `url` is not http://[user:pass@]host[:port][/].
Result<ProxyConfig> parse_proxy_url(const std::string& url);

}  // namespace tally::platform
