// TlsClientContext (see tls_client_context.h).

#include "platform/linux/tls_client_context.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdlib>

namespace tally::platform {
namespace {

int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* slot = static_cast<TlsSessionSlot*>(SSL_get_app_data(ssl));
    if (slot == nullptr)
        return 0;  // OpenSSL keeps ownership and frees it
    slot->session.reset(session);
    return 1;  // we own the reference now
}

NetStatus tls_setup_failure(const std::string& what) {
    return net_failure(agent::TransportError::tls, what + ": " + openssl_errors());
}

}  // namespace

std::string openssl_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty())
            out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

NetStatus TlsClientContext::create(const std::string& ca_file,
                                   std::unique_ptr<TlsClientContext>& out) {
    ERR_clear_error();
    std::unique_ptr<TlsClientContext> c(new TlsClientContext());
    c->ca_file_ = ca_file;
    c->ctx_.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX* ctx = c->ctx_.get();
    if (ctx == nullptr)
        return tls_setup_failure("cannot create a TLS context");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM_set_hostflags(SSL_CTX_get0_param(ctx), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (!ca_file.empty()) {
        if (SSL_CTX_load_verify_file(ctx, ca_file.c_str()) != 1)
            return tls_setup_failure("cannot load the CA file " + ca_file);
    } else {
        const char* file = std::getenv(X509_get_default_cert_file_env());
        const char* dir = std::getenv(X509_get_default_cert_dir_env());
        if (file != nullptr && SSL_CTX_load_verify_file(ctx, file) != 1)
            return tls_setup_failure(std::string("cannot load the CA file ") + file);
        if (SSL_CTX_load_verify_dir(ctx, dir != nullptr ? dir : X509_get_default_cert_dir()) != 1)
            return tls_setup_failure("cannot use the system trust store");
    }
    // Fewer, modern choices keep the ClientHello short (bytes on every handshake).
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
        // SHA-256 suites first: Finished messages and the PSK binder are 16 bytes shorter
        // than with AES-256/SHA-384 (OpenSSL's default first choice).
        SSL_CTX_set_ciphersuites(ctx,
                                 "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
                                 "TLS_AES_256_GCM_SHA384") != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1 ||
        SSL_CTX_set1_sigalgs_list(ctx,
                                  "ECDSA+SHA256:ECDSA+SHA384:ed25519:rsa_pss_rsae_sha256:"
                                  "rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:"
                                  "RSA+SHA384:RSA+SHA512") != 1)
        return tls_setup_failure("cannot configure TLS");
    // Middlebox compatibility adds a 32-byte session id and ChangeCipherSpec records to every
    // TLS 1.3 handshake; HTTP CONNECT proxies only relay bytes, so it buys nothing here.
    SSL_CTX_clear_options(ctx, SSL_OP_ENABLE_MIDDLEBOX_COMPAT);
    SSL_CTX_set_options(
        ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, &on_new_session);
    out = std::move(c);
    return {};
}

std::unique_ptr<SSL, decltype(&SSL_free)> TlsClientContext::new_ssl(TlsSessionSlot* slot) const {
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx_.get()), &SSL_free);
    if (ssl)
        SSL_set_app_data(ssl.get(), slot);
    return ssl;
}

}  // namespace tally::platform
