#pragma once
// One WinHTTP session handle with its proxy and TLS settings, and the handle RAII.

#include <windows.h>

#include <winhttp.h>

#include <memory>
#include <string>

#include "agent/interfaces/http_transport.h"
#include "pairing/result.h"
#include "platform/windows/proxy_config.h"
#include "platform/windows/server_cert_check.h"

namespace tally::platform {

struct InternetHandle {
    HINTERNET h = nullptr;
    InternetHandle() = default;
    explicit InternetHandle(HINTERNET x) : h(x) {}
    InternetHandle(const InternetHandle&) = delete;
    InternetHandle& operator=(const InternetHandle&) = delete;
    ~InternetHandle() {
        if (h != nullptr)
            WinHttpCloseHandle(h);
    }
};

struct WinHttpSessionState {
    InternetHandle session;
    std::optional<ProxyConfig> proxy;  //!< set: named proxy from config
    std::shared_ptr<CaBundle> ca;      //!< set: ca_file alone decides trust
    agent::TransportOptions options;
    std::string proxy_mode;  //!< "configured", "automatic", "default" (for messages)
};

//! Opens the session for `options`; errors name the bad ca_file or proxy.
Result<std::shared_ptr<WinHttpSessionState>> open_winhttp_session(
    const agent::TransportOptions& options);

}  // namespace tally::platform
