#pragma once
// One HTTPS request/response. Senders report, the core decides: the transport returns a
// typed result and the uploader owns retries, backoff, spool and ack.
// send() blocks; the core calls it off the io_context thread.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tally::agent {

struct HttpRequest {
    std::string method = "POST";
    std::string url;  //!< absolute https:// URL
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

enum class TransportError {
    none,
    bad_url,  //!< not https://, malformed
    resolve,  //!< DNS
    connect,  //!< refused, unreachable, proxy refused
    tls,      //!< handshake failed, certificate did not verify, pin mismatch
    timeout,  //!< connect timeout or stalled transfer
    response_too_large,
    local_config,  //!< this device's own network settings are unusable (proxy credentials file)
    other,
};
const char* to_string(TransportError e);

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  //!< names lower-cased
    std::string body;
    std::optional<std::string> header(const std::string& lower_name) const;
};

struct TransportResult {
    TransportError error = TransportError::none;
    std::string message;             //!< for logs/status when error != none
    HttpResponse response;           //!< valid when error == none
    std::string server_spki_sha256;  //!< hex, of the server's certificate public key, if known
};

struct TransportOptions {
    std::string ca_file;  //!< empty: system trust store
    std::string proxy;    //!< empty: environment (HTTPS_PROXY/NO_PROXY) or system
    //! A 0600 file holding "user:password" for the proxy (never on a command line); empty:
    //! only what the proxy URL carries.
    std::string proxy_credentials_file;
    std::string pinned_spki_sha256;  //!< hex; non-empty: refuse any other server key
    std::chrono::seconds connect_timeout{15};
    std::chrono::seconds stall_timeout{30};  //!< abort when below 1 byte/s for this long
    std::chrono::seconds total_timeout{120};
    //! Low-speed limit: abort when fewer than low_speed_bytes arrive in any low_speed_window
    //! while waiting for or reading the answer (libcurl's LOW_SPEED_LIMIT/TIME); a server
    //! trickling its answer is cut off instead of holding the upload to total_timeout.
    //! A window of 0 turns the rule off.
    std::size_t low_speed_bytes = 100;
    std::chrono::seconds low_speed_window{15};
    std::size_t max_response_bytes = 1 << 20;
};

class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    virtual void configure(const TransportOptions& options) = 0;
    virtual TransportResult send(const HttpRequest& request) = 0;
};

}  // namespace tally::agent
