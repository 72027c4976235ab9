#pragma once
// One TLS client connection over a connected non-blocking socket: handshake (SNI for names,
// certificate verified against the host name or IP address, an offered session resumed),
// then reads and writes that wait with poll() until an IoDeadline.

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "platform/linux/net_status.h"
#include "platform/linux/tls_client_context.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {

class TlsConnection {
  public:
    //! Runs the handshake with `host` on `fd`; `resume` (may be null) is offered for
    //! resumption. On failure `out` stays empty.
    static NetStatus open(const TlsClientContext& ctx, TlsSessionSlot& slot, UniqueFd fd,
                          const std::string& host, IoDeadline::Clock::time_point deadline,
                          std::unique_ptr<TlsConnection>& out);
    ~TlsConnection();
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    NetStatus write_all(std::string_view data, const IoDeadline& deadline);
    //! Appends what arrives to `out`; `eof` set when the peer closed (no bytes appended).
    NetStatus read_some(std::string& out, const IoDeadline& deadline, bool& eof);
    //! Nothing arrived since the last response (no close_notify, no FIN): safe to reuse.
    bool idle_and_open() const;
    bool resumed() const { return SSL_session_reused(ssl_.get()) == 1; }
    SSL* ssl() const { return ssl_.get(); }
    //! The exchange ended cleanly: close without a close_notify (no bytes on the wire) while
    //! keeping the session resumable.
    void mark_clean_end() { clean_ = true; }

  private:
    TlsConnection(UniqueFd fd, std::unique_ptr<SSL, decltype(&SSL_free)> ssl);
    //! After an SSL_* call returned `rc`: waits as OpenSSL wants, or turns it into a failure.
    NetStatus wait_or_fail(int rc, const IoDeadline& deadline, const std::string& what, bool& eof);

    UniqueFd fd_;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl_;
    bool clean_ = false;
};

}  // namespace tally::platform
