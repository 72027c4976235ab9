#pragma once
// agent::HttpTransport on WinHTTP. send() blocks the calling thread (the core calls it off
// its io_context thread). Proxy: the configured `proxy` (Basic credentials from its URL,
// else Negotiate/NTLM as the machine account), else the system's (automatic proxy: WPAD,
// PAC, `netsh winhttp` settings). Certificates: the Windows store, or ca_file alone when set
// (server_cert_check.h); SPKI pin; TLS 1.2 or later only.

#include <memory>
#include <mutex>

#include "agent/interfaces/http_transport.h"

namespace tally::platform {

class WinHttpTransport : public agent::HttpTransport {
  public:
    WinHttpTransport();
    ~WinHttpTransport() override;
    void configure(const agent::TransportOptions& options) override;
    agent::TransportResult send(const agent::HttpRequest& request) override;

    struct Session;

  private:
    std::mutex mutex_;
    agent::TransportOptions options_;
    std::shared_ptr<Session> session_;  //!< rebuilt by configure()
};

//! Maps a WinHTTP error code to the core's error kind (exposed for tests).
agent::TransportError classify_winhttp_error(unsigned long code);

}  // namespace tally::platform
