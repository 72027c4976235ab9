#pragma once
// The OpenSSL client context of the transport: peer verification always on, trust from a CA
// file or the system store (the hashed /etc/ssl/certs directory, read lazily: loading the
// whole bundle would cost ~1 MB of heap), TLS 1.2+ with a short ClientHello (few groups,
// signature algorithms and ciphers, no middlebox-compat padding), and the session tickets the
// server issues kept for resumption.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "platform/linux/net_status.h"

namespace tally::platform {

//! Where a new session ticket goes: the latest one for one host/port/pin/trust combination.
struct TlsSessionSlot {
    std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)> session{nullptr, &SSL_SESSION_free};
};

class TlsClientContext {
  public:
    //! Builds a context trusting `ca_file` (empty: the system store).
    static NetStatus create(const std::string& ca_file, std::unique_ptr<TlsClientContext>& out);

    SSL_CTX* get() const { return ctx_.get(); }
    const std::string& ca_file() const { return ca_file_; }
    //! A new SSL whose new session tickets land in `slot` (which must outlive it).
    std::unique_ptr<SSL, decltype(&SSL_free)> new_ssl(TlsSessionSlot* slot) const;

  private:
    TlsClientContext() = default;
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_{nullptr, &SSL_CTX_free};
    std::string ca_file_;
};

//! OpenSSL's error queue as one line (and clears it).
std::string openssl_errors();

}  // namespace tally::platform
