#pragma once
// A minimal blocking HTTP/1.1-over-TLS client connection for the load generator: keep-alive,
// certificate verified against a CA file, optional source address (so simulated devices can
// come from many loopback addresses, as a real fleet comes from many hosts). Reconnects
// transparently when the server closes the connection; counts handshakes.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pairing/result.h"

namespace tally::bench {

struct HttpResponse {
    int status = 0;
    std::string body;
};

//! One TLS client context (CA file, TLS 1.2+) shared by many connections.
class TlsContext {
  public:
    static Result<std::shared_ptr<TlsContext>> create(const std::string& ca_file);
    ~TlsContext();
    SSL_CTX* get() const { return ctx_; }

  private:
    explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
    SSL_CTX* ctx_;
};

class TlsConnection {
  public:
    TlsConnection(std::shared_ptr<TlsContext> ctx, std::string host, int port,
                  std::string source_addr = "");
    TlsConnection(TlsConnection&&) = delete;
    ~TlsConnection();

    //! POSTs `body` with the given extra headers; reconnects once if the kept-alive
    //! connection was closed by the server.
    Result<HttpResponse> post(const std::string& path,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& body);
    std::uint64_t handshakes() const { return handshakes_; }
    void set_source(std::string source_addr);
    //! Connects and completes the TLS handshake now (post() would do it on first use).
    Result<void> open() { return ssl_ != nullptr ? Result<void>() : connect(); }

  private:
    Result<void> connect();
    void close();
    Result<HttpResponse> exchange(const std::string& request, bool& retryable);
    Result<std::string> read_until_headers_end(std::string& buffer);

    std::shared_ptr<TlsContext> ctx_;
    std::string host_;
    int port_;
    std::string source_;
    int fd_ = -1;
    SSL* ssl_ = nullptr;
    bool server_closes_ = false;
    std::uint64_t handshakes_ = 0;
};

}  // namespace tally::bench
