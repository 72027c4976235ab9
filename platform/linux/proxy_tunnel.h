#pragma once
// HTTP CONNECT through an http:// proxy (Basic credentials sent when the proxy URL has
// them): after a 2xx answer the socket is a tunnel to the server.

#include "platform/linux/https_url.h"
#include "platform/linux/net_status.h"

namespace tally::platform {

//! Asks the proxy on `fd` for a tunnel to `target` (host:port). Messages never contain the
//! proxy credentials.
NetStatus open_proxy_tunnel(int fd, const ProxyUrl& proxy, const HttpsUrl& target,
                            IoDeadline::Clock::time_point deadline);

}  // namespace tally::platform
