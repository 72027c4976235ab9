#pragma once
// agent::HttpTransport on OpenSSL 3 and POSIX sockets (no libcurl: its dependency tree alone
// costs more resident memory than the whole agent budget). HTTPS only, certificates always
// verified, optional SPKI pin, HTTP CONNECT proxies, body cap, connect/stall/total timeouts.
// Between send() calls it keeps the open connection (reused while the server keeps it
// alive) and the latest TLS session ticket (a resumed handshake sends no certificates).

#include <memory>
#include <mutex>
#include <string>

#include "agent/interfaces/http_transport.h"
#include "platform/linux/https_url.h"
#include "platform/linux/proxy_selection.h"
#include "platform/linux/tls_client_context.h"
#include "platform/linux/tls_connection.h"

namespace tally::platform {

class TlsTransport : public agent::HttpTransport {
  public:
    //! `env` reads proxy variables (default: getenv).
    explicit TlsTransport(EnvLookup env = {});
    ~TlsTransport() override;
    TlsTransport(const TlsTransport&) = delete;
    TlsTransport& operator=(const TlsTransport&) = delete;

    void configure(const agent::TransportOptions& options) override;
    //! Thread-safe (requests are serialised).
    agent::TransportResult send(const agent::HttpRequest& request) override;

    //! Counters for tests and benchmarks: handshakes made, of which resumed, and requests
    //! that went over an already open connection.
    struct Stats {
        unsigned handshakes = 0;
        unsigned resumed = 0;
        unsigned reused = 0;
    };
    Stats stats() const;

    //! The TLS session to resume and what it belongs to (host:port, pin, trust), as opaque
    //! bytes ("" when none), for a transport in another process: the agent's crypto helper
    //! lives for one upload, the agent keeps the session between them. Contains the
    //! resumption secret: kept in memory, never written to disk or logs.
    std::string export_session() const;
    //! Takes a session export_session() gave; bytes that do not parse are ignored (the next
    //! handshake is then a full one).
    void import_session(const std::string& bytes);

  private:
    agent::TransportResult send_locked(const agent::HttpRequest& request);
    NetStatus connect_locked(const HttpsUrl& url, const std::string& pin,
                             IoDeadline::Clock::time_point deadline, std::string& spki);
    void drop_connection();

    mutable std::mutex mutex_;
    EnvLookup env_;
    agent::TransportOptions options_;
    std::unique_ptr<TlsClientContext> ctx_;
    TlsSessionSlot session_;
    std::string session_key_;  //!< host:port, pin and trust the session belongs to
    std::unique_ptr<TlsConnection> connection_;
    std::string connection_key_;
    std::string connection_spki_;
    Stats stats_;
};

}  // namespace tally::platform
