// TlsConnection (see tls_connection.h).

#include "platform/linux/tls_connection.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "platform/linux/https_url.h"

namespace tally::platform {

using agent::TransportError;

TlsConnection::TlsConnection(UniqueFd fd, std::unique_ptr<SSL, decltype(&SSL_free)> ssl)
    : fd_(std::move(fd)), ssl_(std::move(ssl)) {}

TlsConnection::~TlsConnection() {
    if (clean_) {
        // Marks the connection shut down without sending anything, so OpenSSL does not
        // invalidate the session as it does for connections that end abruptly.
        SSL_set_quiet_shutdown(ssl_.get(), 1);
        SSL_shutdown(ssl_.get());
    }
}

NetStatus TlsConnection::open(const TlsClientContext& ctx, TlsSessionSlot& slot, UniqueFd fd,
                              const std::string& host, IoDeadline::Clock::time_point deadline,
                              std::unique_ptr<TlsConnection>& out) {
    ERR_clear_error();
    auto ssl = ctx.new_ssl(&slot);
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1)
        return net_failure(TransportError::tls, "cannot set up TLS: " + openssl_errors());
    if (is_ip_literal(host)) {
        // RFC 6066: no SNI for addresses; the certificate must carry the IP in its SAN.
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str()) != 1)
            return net_failure(TransportError::tls, "cannot verify address " + host);
    } else if (SSL_set_tlsext_host_name(ssl.get(), host.c_str()) != 1 ||
               SSL_set1_host(ssl.get(), host.c_str()) != 1) {
        return net_failure(TransportError::tls, "cannot set the TLS host name " + host);
    }
    if (slot.session && SSL_SESSION_is_resumable(slot.session.get()))
        SSL_set_session(ssl.get(), slot.session.get());
    std::unique_ptr<TlsConnection> c(new TlsConnection(std::move(fd), std::move(ssl)));
    IoDeadline d{deadline, std::chrono::hours(24), {}};
    for (;;) {
        const int rc = SSL_connect(c->ssl());
        if (rc == 1)
            break;
        bool eof = false;
        const int err = SSL_get_error(c->ssl(), rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            if (wait_fd(c->fd_.get(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline) == 0)
                return net_failure(TransportError::timeout,
                                   "TLS handshake with " + host + " timed out");
            continue;
        }
        const long verify = SSL_get_verify_result(c->ssl());
        if (verify != X509_V_OK) {
            ERR_clear_error();
            return net_failure(TransportError::tls,
                               "TLS certificate of " + host +
                                   " did not verify: " + X509_verify_cert_error_string(verify));
        }
        NetStatus s = c->wait_or_fail(rc, d, "TLS handshake with " + host, eof);
        if (eof)
            s = net_failure(TransportError::tls,
                            "TLS handshake with " + host + " failed: connection closed by peer");
        return s;
    }
    out = std::move(c);
    return {};
}

NetStatus TlsConnection::wait_or_fail(int rc, const IoDeadline& deadline, const std::string& what,
                                      bool& eof) {
    const int err = SSL_get_error(ssl_.get(), rc);
    switch (err) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            if (wait_fd(fd_.get(), err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                        deadline.next()) == 0)
                return deadline.timed_out(what);
            return {};
        case SSL_ERROR_ZERO_RETURN:
            eof = true;
            return {};
        case SSL_ERROR_SYSCALL: {
            const int e = errno;
            ERR_clear_error();
            if (e == 0) {
                eof = true;
                return {};
            }
            return net_failure(TransportError::connect, what + " failed: " + std::strerror(e));
        }
        default:
            return net_failure(TransportError::tls, what + " failed: " + openssl_errors());
    }
}

NetStatus TlsConnection::write_all(std::string_view data, const IoDeadline& deadline) {
    ERR_clear_error();
    while (!data.empty()) {
        std::size_t written = 0;
        errno = 0;
        const int rc = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
        if (rc == 1) {
            data.remove_prefix(written);
            continue;
        }
        bool eof = false;
        NetStatus s = wait_or_fail(rc, deadline, "sending the request", eof);
        if (eof)
            return net_failure(TransportError::connect,
                               "the server closed the connection while the request was sent");
        if (!s.ok())
            return s;
    }
    return {};
}

NetStatus TlsConnection::read_some(std::string& out, const IoDeadline& deadline, bool& eof) {
    ERR_clear_error();
    eof = false;
    for (;;) {
        char buf[16 * 1024];
        std::size_t got = 0;
        errno = 0;
        const int rc = SSL_read_ex(ssl_.get(), buf, sizeof buf, &got);
        if (rc == 1) {
            out.append(buf, got);
            return {};
        }
        NetStatus s = wait_or_fail(rc, deadline, "waiting for the response", eof);
        if (!s.ok() || eof)
            return s;
    }
}

bool TlsConnection::idle_and_open() const {
    if (SSL_pending(ssl_.get()) > 0)
        return false;
    pollfd p{fd_.get(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;  // readable means close_notify, FIN or stray bytes
}

}  // namespace tally::platform
