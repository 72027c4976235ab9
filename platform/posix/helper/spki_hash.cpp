// SPKI SHA-256 from an OpenSSL connection.

#include "platform/posix/helper/spki_hash.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

namespace tally::platform {

std::string peer_spki_sha256_hex(void* ssl_ptr) {
    if (ssl_ptr == nullptr)
        return {};
    auto* ssl = static_cast<SSL*>(ssl_ptr);
    std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), &X509_free);
    if (!cert)
        return {};
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (key == nullptr)
        return {};
    unsigned char* der = nullptr;
    int len = i2d_PUBKEY(key, &der);
    if (len <= 0)
        return {};
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(
        der, [](unsigned char* p) { OPENSSL_free(p); });
    return pairing::hex_encode(pairing::sha256(std::span<const std::uint8_t>(der, len)));
}

}  // namespace tally::platform
