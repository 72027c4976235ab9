#pragma once
// agent::HttpTransport on libcurl, used only inside tally-agent-helper: HTTPS
// only, certificates always verified (ca_file or the system store), TLS >= 1.2, the SPKI pin
// as CURLOPT_PINNEDPUBLICKEY, proxies from the options or https_proxy/no_proxy (HTTP, HTTPS,
// SOCKS5; Basic/Digest/NTLM/Negotiate proxy authentication), connect/total deadlines, a
// low-speed limit and a response size cap. No redirects are followed.
//
// With libcurl on OpenSSL 3 (Linux) the TLS session is resumed across helper runs: the latest
// session ticket is kept in `session_file` (0600, in the state dir) with the host:port, pin
// and trust it belongs to. With macOS's system libcurl no session outlives the process
// (tls_hooks.h).

#include <filesystem>
#include <string>

#include "agent/interfaces/http_transport.h"

namespace tally::platform {

class CurlTransport : public agent::HttpTransport {
  public:
    //! `session_file` empty: no session kept. `proxy_credentials`: "user:password" for the
    //! proxy (read from a 0600 file by the caller), empty: none beyond the proxy URL's.
    explicit CurlTransport(std::filesystem::path session_file = {},
                           std::string proxy_credentials = {});

    void configure(const agent::TransportOptions& options) override;
    agent::TransportResult send(const agent::HttpRequest& request) override;

    //! Whether the last send() resumed a stored TLS session (tests, benchmarks).
    bool resumed() const { return resumed_; }

  private:
    std::filesystem::path session_file_;
    std::string proxy_credentials_;
    agent::TransportOptions options_;
    bool resumed_ = false;
};

//! "sha256//<base64>" for CURLOPT_PINNEDPUBLICKEY from a hex SPKI SHA-256; empty when `hex`
//! is not 64 hex digits.
std::string curl_pin(const std::string& hex);

}  // namespace tally::platform
