// TlsTransport: one HTTPS request per send(), over a kept or a new (resumed) connection.

#include "platform/linux/tls_transport.h"

#include <openssl/err.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "pairing/bytes.h"
#include "platform/linux/http_request_text.h"
#include "platform/linux/http_response_parser.h"
#include "platform/linux/https_url.h"
#include "platform/linux/proxy_tunnel.h"
#include "platform/linux/sigpipe_block.h"
#include "platform/linux/spki_hash.h"
#include "platform/linux/tcp_connect.h"

namespace tally::platform {

using agent::TransportError;
using agent::TransportResult;
using Clock = IoDeadline::Clock;

namespace {

TransportResult failure(const NetStatus& s, std::string spki = {}) {
    TransportResult r;
    r.error = s.error;
    r.message = s.message;
    r.server_spki_sha256 = std::move(spki);
    return r;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

TlsTransport::TlsTransport(EnvLookup env) : env_(std::move(env)) {
    if (!env_)
        env_ = [](const char* name) -> const char* { return std::getenv(name); };
}

TlsTransport::~TlsTransport() {
    connection_.reset();  // before the session slot its SSL points at
}

void TlsTransport::configure(const agent::TransportOptions& options) {
    std::lock_guard lock(mutex_);
    options_ = options;
}

TlsTransport::Stats TlsTransport::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void TlsTransport::drop_connection() {
    connection_.reset();
    connection_key_.clear();
    connection_spki_.clear();
}

TransportResult TlsTransport::send(const agent::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    const SigpipeBlock no_sigpipe;  // a closed connection is an error value, not a signal
    return send_locked(request);
}

NetStatus TlsTransport::connect_locked(const HttpsUrl& url, const std::string& pin,
                                       Clock::time_point deadline, std::string& spki) {
    const std::string proxy_text = select_proxy(options_.proxy, url.host, env_);
    TcpConnection tcp;
    if (!proxy_text.empty()) {
        auto proxy = parse_proxy_url(proxy_text);
        if (!proxy) {  // the URL may hold credentials: not repeated in the message
            return net_failure(TransportError::bad_url,
                               "the proxy setting is not an http://host:port URL");
        }
        tcp = tcp_connect(proxy->host, proxy->port, "proxy", deadline);
        if (!tcp.status.ok())
            return tcp.status;
        if (NetStatus s = open_proxy_tunnel(tcp.fd.get(), *proxy, url, deadline); !s.ok())
            return s;
    } else {
        tcp = tcp_connect(url.host, url.port, "server", deadline);
        if (!tcp.status.ok())
            return tcp.status;
    }
    std::unique_ptr<TlsConnection> tls;
    NetStatus s = TlsConnection::open(*ctx_, session_, std::move(tcp.fd), url.host, deadline, tls);
    if (!s.ok()) {
        session_.session.reset();  // a failed handshake must not be retried with it
        if (s.error == TransportError::connect)
            s.error = TransportError::tls;
        return s;
    }
    ++stats_.handshakes;
    if (tls->resumed())
        ++stats_.resumed;
    spki = peer_spki_sha256_hex(tls->ssl());
    if (!pin.empty() && lower(spki) != lower(pin)) {
        session_.session.reset();
        return net_failure(TransportError::tls, "the public key of " + url.host +
                                                    " does not match the pinned key (got sha256 " +
                                                    spki + ")");
    }
    connection_ = std::move(tls);
    return {};
}

TransportResult TlsTransport::send_locked(const agent::HttpRequest& request) {
    const auto url = parse_https_url(request.url);
    if (!url) {
        return failure(net_failure(TransportError::bad_url,
                                   request.url.starts_with("https://")
                                       ? "malformed URL '" + request.url + "'"
                                       : "refusing non-https URL '" + request.url + "'"));
    }
    const std::string& pin = options_.pinned_spki_sha256;
    if (!pin.empty()) {
        auto raw = pairing::hex_decode(pin);
        if (!raw || raw->size() != 32)
            return failure(
                net_failure(TransportError::tls, "pinned server key is not a hex SHA-256"));
    }
    if (!ctx_ || ctx_->ca_file() != options_.ca_file) {
        // (A session stays only for the same trust: the session key below names it.)
        drop_connection();
        ctx_.reset();
        if (NetStatus s = TlsClientContext::create(options_.ca_file, ctx_); !s.ok())
            return failure(s);
    }
    const std::string key = url->authority() + "|" + lower(pin) + "|" + options_.ca_file;
    if (key != session_key_) {
        session_.session.reset();
        session_key_ = key;
    }
    const std::string conn_key = key + "|" + select_proxy(options_.proxy, url->host, env_);
    if (connection_ && (conn_key != connection_key_ || !connection_->idle_and_open()))
        drop_connection();

    const auto start = Clock::now();
    IoDeadline io{start + options_.total_timeout, options_.stall_timeout, options_.total_timeout};
    const std::string wire = format_http_request(request, *url);
    // A kept connection the server closed meanwhile fails before any answer byte: that one
    // case is retried once on a new connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = connection_ != nullptr;
        if (!connection_) {
            std::string spki;
            NetStatus s = connect_locked(
                *url, pin, std::min(io.total, start + options_.connect_timeout), spki);
            if (!s.ok()) {
                drop_connection();
                return failure(s, spki);
            }
            connection_key_ = conn_key;
            connection_spki_ = spki;
        } else {
            ++stats_.reused;
        }
        const std::string spki = connection_spki_;
        HttpResponseParser parser(options_.max_response_bytes, request.method == "HEAD");
        io.start_low_speed(0, std::chrono::seconds(0));  // the rule covers the answer only
        NetStatus s = connection_->write_all(wire, io);
        io.start_low_speed(options_.low_speed_bytes, options_.low_speed_window);
        std::string received;
        bool eof = false;
        bool any = false;
        while (s.ok() && parser.state() == HttpResponseParser::State::need_more) {
            received.clear();
            s = connection_->read_some(received, io, eof);
            if (s.ok())
                s = io.received(received.size(), "waiting for the response");
            if (!s.ok())
                break;
            if (eof) {
                parser.finish_at_eof();
                break;
            }
            any = true;
            parser.feed(received);
        }
        if (reused && !any && (eof || !s.ok()) && attempt == 0) {
            drop_connection();
            continue;
        }
        if (!s.ok()) {
            drop_connection();
            return failure(s, spki);
        }
        switch (parser.state()) {
            case HttpResponseParser::State::done: {
                if (parser.reusable() && !eof) {
                    connection_->mark_clean_end();
                } else {
                    connection_->mark_clean_end();
                    drop_connection();
                }
                TransportResult r;
                r.response = parser.take();
                r.server_spki_sha256 = spki;
                return r;
            }
            case HttpResponseParser::State::too_large:
                drop_connection();
                return failure(net_failure(TransportError::response_too_large, parser.problem()),
                               spki);
            default:
                drop_connection();
                return failure(net_failure(TransportError::other, parser.problem()), spki);
        }
    }
    return failure(net_failure(TransportError::connect, "the connection was closed twice"));
}

std::string TlsTransport::export_session() const {
    std::lock_guard lock(mutex_);
    SSL_SESSION* session = session_.session.get();
    if (session == nullptr || session_key_.empty())
        return {};
    const int len = i2d_SSL_SESSION(session, nullptr);
    if (len <= 0)
        return {};
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_SSL_SESSION(session, &p) != len)
        return {};
    return std::to_string(session_key_.size()) + ":" + session_key_ + der;
}

void TlsTransport::import_session(const std::string& bytes) {
    std::lock_guard lock(mutex_);
    const auto colon = bytes.find(':');
    if (colon == std::string::npos || colon == 0 || colon > 6)
        return;
    std::size_t key_len = 0;
    for (std::size_t i = 0; i < colon; ++i) {
        if (bytes[i] < '0' || bytes[i] > '9')
            return;
        key_len = key_len * 10 + static_cast<std::size_t>(bytes[i] - '0');
    }
    if (bytes.size() - colon - 1 <= key_len)
        return;
    const std::string key = bytes.substr(colon + 1, key_len);
    const std::string der = bytes.substr(colon + 1 + key_len);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    SSL_SESSION* session = d2i_SSL_SESSION(nullptr, &p, static_cast<long>(der.size()));
    if (session == nullptr) {
        ERR_clear_error();
        return;
    }
    session_.session.reset(session);
    session_key_ = key;
}

}  // namespace tally::platform
