// TLS hooks for libcurl on OpenSSL 3 (tls_hooks.h): the SSL_CTX callbacks.

#include <openssl/ssl.h>

#include "platform/posix/helper/spki_hash.h"
#include "platform/posix/helper/tls_hooks.h"

namespace tally::platform {
namespace {

int ctx_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

TlsState* state_of(const SSL* ssl) {
    return static_cast<TlsState*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_index()));
}

//! OpenSSL hands each new session ticket here; the latest one is kept for the next run.
int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* t = state_of(ssl);
    const int len = i2d_SSL_SESSION(session, nullptr);
    if (t != nullptr && len > 0) {
        std::string der(static_cast<std::size_t>(len), '\0');
        auto* p = reinterpret_cast<unsigned char*>(der.data());
        i2d_SSL_SESSION(session, &p);
        t->new_session = std::move(der);
    }
    return 0;  // we did not keep a reference
}

//! At the start of the handshake (before the ClientHello is built) the stored session is
//! offered: libcurl's own session cache lives only as long as one process. At its end the
//! server's key and whether the session was resumed are noted (libcurl may have closed the
//! connection by the time the transfer returns).
void on_tls_info(const SSL* ssl, int where, int) {
    auto* t = state_of(ssl);
    if (t == nullptr)
        return;
    if ((where & SSL_CB_HANDSHAKE_DONE) != 0) {
        t->resumed = SSL_session_reused(ssl) == 1;
        t->server_spki = peer_spki_sha256_hex(const_cast<SSL*>(ssl));
        return;
    }
    if ((where & SSL_CB_HANDSHAKE_START) == 0 || t->stored_session.empty() || t->offered_session)
        return;
    t->offered_session = true;
    const auto* p = reinterpret_cast<const unsigned char*>(t->stored_session.data());
    SSL_SESSION* s = d2i_SSL_SESSION(nullptr, &p, static_cast<long>(t->stored_session.size()));
    if (s != nullptr) {
        SSL_set_session(const_cast<SSL*>(ssl), s);
        SSL_SESSION_free(s);
    }
}

CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) {
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    SSL_CTX_set_ex_data(ctx, ctx_index(), user);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    SSL_CTX_set_info_callback(ctx, on_tls_info);
    // Fewer, modern choices keep the ClientHello short (bytes on every upload); SHA-256
    // suites first make Finished and the PSK binder 16 bytes shorter than SHA-384.
    if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
        SSL_CTX_set1_sigalgs_list(ctx,
                                  "ECDSA+SHA256:ECDSA+SHA384:ed25519:rsa_pss_rsae_sha256:"
                                  "rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:"
                                  "RSA+SHA384:RSA+SHA512") != 1)
        return CURLE_SSL_CIPHER;
    // Middlebox compatibility adds a 32-byte session id and ChangeCipherSpec records to every
    // TLS 1.3 handshake; HTTP CONNECT proxies only relay bytes, so it buys nothing here.
    // libcurl sets SSL_OP_ALL, whose TLSEXT_PADDING pads a 256..511-byte ClientHello to 512
    // bytes (a workaround for F5 devices of 2013): ~95 bytes of zeros on every upload.
    SSL_CTX_clear_options(ctx, SSL_OP_ENABLE_MIDDLEBOX_COMPAT | SSL_OP_TLSEXT_PADDING);
    return CURLE_OK;
}

}  // namespace

bool tls_sessions_across_runs() {
    return true;
}

void install_tls_hooks(CURL* c, TlsState& state) {
    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, &state);
}

void collect_tls_facts(CURL* /*c*/, TlsState& /*state*/) {
    // Everything was noted during the handshake (on_tls_info, on_new_session).
}

}  // namespace tally::platform
