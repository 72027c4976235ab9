// pairing/crypto.h on macOS, from the OS alone: CommonCrypto (CC_SHA256, CCHmac) and
// Security.framework's SecKey API (P-256 keys, ECDSA with SHA-256, SecRandomCopyBytes).
// The agent, its helper and the pkg therefore carry no OpenSSL dylib (README.md, "Crypto").
// Keys are never put in a keychain: SecKeyCreateRandomKey without kSecAttrIsPermanent and
// SecKeyCreateWithData make in-memory keys; the key lives in the 0600 file (TN3137: a
// daemon cannot use the data-protection keychain).

#include <CommonCrypto/CommonDigest.h>
#include <CommonCrypto/CommonHMAC.h>
#include <Security/Security.h>

#include <algorithm>
#include <stdexcept>

#include "pairing/crypto.h"
#include "platform/macos/cf_ref.h"
#include "platform/macos/ecdsa_der.h"
#include "platform/macos/p256_key_pem.h"
#include "platform/macos/p256_point.h"

namespace tally::pairing {
namespace {

using platform::CfRef;

CfRef<CFDataRef> cf_data(std::span<const std::uint8_t> bytes) {
    return CfRef<CFDataRef>(
        CFDataCreate(kCFAllocatorDefault, bytes.data(), static_cast<CFIndex>(bytes.size())));
}

Bytes to_bytes(CFDataRef data) {
    const std::uint8_t* p = CFDataGetBytePtr(data);
    return Bytes(p, p + CFDataGetLength(data));
}

std::string error_text(CFErrorRef raw) {
    CfRef<CFErrorRef> error(raw);  // the out-parameter's error is ours to release
    if (!error)
        return "unknown error";
    CfRef<CFStringRef> text(CFErrorCopyDescription(error.get()));
    return platform::utf8_string(text.get()).value_or("unknown error");
}

//! {kSecAttrKeyType: EC, kSecAttrKeySizeInBits: 256[, kSecAttrKeyClass: key_class]}
CfRef<CFMutableDictionaryRef> p256_attributes(CFStringRef key_class) {
    CfRef<CFMutableDictionaryRef> d(CFDictionaryCreateMutable(
        kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
    if (!d)
        throw std::runtime_error("out of memory");
    const int bits = 256;
    CfRef<CFNumberRef> size(CFNumberCreate(kCFAllocatorDefault, kCFNumberIntType, &bits));
    if (!size)  // a NULL value would crash CFDictionarySetValue's retain callback
        throw std::runtime_error("out of memory");
    CFDictionarySetValue(d.get(), kSecAttrKeyType, kSecAttrKeyTypeECSECPrimeRandom);
    CFDictionarySetValue(d.get(), kSecAttrKeySizeInBits, size.get());
    if (key_class != nullptr)
        CFDictionarySetValue(d.get(), kSecAttrKeyClass, key_class);
    return d;
}

//! SecKeyCreateWithData: public keys as 04||X||Y, private keys as 04||X||Y||D (X9.63).
Result<CfRef<SecKeyRef>> import_key(std::span<const std::uint8_t> bytes, CFStringRef key_class) {
    auto data = cf_data(bytes);
    auto attributes = p256_attributes(key_class);
    CFErrorRef error = nullptr;
    CfRef<SecKeyRef> key(SecKeyCreateWithData(data.get(), attributes.get(), &error));
    if (!key)
        return make_error("bad_key", "SecKeyCreateWithData: " + error_text(error));
    return key;
}

Bytes external_representation(SecKeyRef key) {
    CFErrorRef error = nullptr;
    CfRef<CFDataRef> data(SecKeyCopyExternalRepresentation(key, &error));
    if (!data)
        throw std::runtime_error("SecKeyCopyExternalRepresentation: " + error_text(error));
    return to_bytes(data.get());
}

bool verify_with(SecKeyRef key, std::span<const std::uint8_t> message,
                 std::span<const std::uint8_t> signature) {
    if (signature.size() != kSignatureSize)
        return false;
    const Bytes der = platform::ecdsa_raw_to_der(signature);
    auto message_data = cf_data(message);
    auto signature_data = cf_data(der);
    CFErrorRef error = nullptr;
    const bool ok = SecKeyVerifySignature(key, kSecKeyAlgorithmECDSASignatureMessageX962SHA256,
                                          message_data.get(), signature_data.get(), &error);
    if (error != nullptr)
        CFRelease(error);  // a bad signature is an answer, not an error worth reporting
    return ok;
}

Bytes sign_with(SecKeyRef key, std::span<const std::uint8_t> message) {
    auto data = cf_data(message);
    CFErrorRef error = nullptr;
    CfRef<CFDataRef> der(SecKeyCreateSignature(key, kSecKeyAlgorithmECDSASignatureMessageX962SHA256,
                                               data.get(), &error));
    if (!der)
        throw std::runtime_error("SecKeyCreateSignature: " + error_text(error));
    auto raw = platform::ecdsa_der_to_raw(to_bytes(der.get()));
    if (!raw)
        throw std::runtime_error("ECDSA signature has an unexpected form: " + raw.error().message);
    return *raw;
}

Result<CfRef<SecKeyRef>> import_public(std::span<const std::uint8_t> point) {
    // Checked here rather than trusted to the import: an off-curve point is refused by name.
    if (!platform::p256_point_on_curve(point))
        return make_error("bad_key", "not an uncompressed P-256 point");
    return import_key(point, kSecAttrKeyClassPublic);
}

}  // namespace

Bytes sha256(std::span<const std::uint8_t> data) {
    CC_SHA256_CTX ctx;
    CC_SHA256_Init(&ctx);
    // CC_LONG is 32 bits: feed large inputs in pieces.
    constexpr std::size_t kPiece = 1u << 30;
    for (std::size_t off = 0; off < data.size(); off += kPiece) {
        const std::size_t n = std::min(kPiece, data.size() - off);
        CC_SHA256_Update(&ctx, data.data() + off, static_cast<CC_LONG>(n));
    }
    Bytes out(CC_SHA256_DIGEST_LENGTH);
    CC_SHA256_Final(out.data(), &ctx);
    return out;
}

Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    Bytes out(CC_SHA256_DIGEST_LENGTH);
    CCHmac(kCCHmacAlgSHA256, key.data(), key.size(), data.data(), data.size(), out.data());
    return out;
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n > 0 && SecRandomCopyBytes(kSecRandomDefault, n, out.data()) != errSecSuccess)
        throw std::runtime_error("SecRandomCopyBytes failed: no secure random source");
    return out;
}

Result<Bytes> signature_from_der(std::span<const std::uint8_t> der) {
    return platform::ecdsa_der_to_raw(der);
}

Bytes signature_to_der(std::span<const std::uint8_t> signature) {
    return platform::ecdsa_raw_to_der(signature);
}

bool verify_signature(std::span<const std::uint8_t> public_key,
                      std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature) {
    auto key = import_public(public_key);
    return key && verify_with(key->get(), message, signature);
}

struct PublicKey::Impl {
    CfRef<SecKeyRef> key;
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PublicKey> PublicKey::parse(std::span<const std::uint8_t> point) {
    auto key = import_public(point);
    if (!key)
        return key.error();
    return PublicKey(std::make_unique<Impl>(Impl{std::move(*key)}));
}

bool PublicKey::verify(std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature) const {
    return verify_with(impl_->key.get(), message, signature);
}

struct SoftwareKey::Impl {
    CfRef<SecKeyRef> key;
};

SoftwareKey::SoftwareKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SoftwareKey::SoftwareKey(SoftwareKey&&) noexcept = default;
SoftwareKey& SoftwareKey::operator=(SoftwareKey&&) noexcept = default;
SoftwareKey::~SoftwareKey() = default;

Result<SoftwareKey> SoftwareKey::generate() {
    // No kSecAttrIsPermanent: the key stays in memory, never in a keychain.
    auto attributes = p256_attributes(nullptr);
    CFErrorRef error = nullptr;
    CfRef<SecKeyRef> key(SecKeyCreateRandomKey(attributes.get(), &error));
    if (!key)
        return make_error("crypto", "SecKeyCreateRandomKey: " + error_text(error));
    return SoftwareKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

Result<SoftwareKey> SoftwareKey::from_pem(std::string_view pem) {
    auto parts = platform::parse_p256_private_pem(pem);
    if (!parts)
        return parts.error();
    auto key = import_key(platform::p256_x963_private(*parts), kSecAttrKeyClassPrivate);
    if (!key)
        return key.error();
    // Security imports X, Y and D as given; a file whose point is not D's would sign with a
    // key the server does not know. One signature checked with the file's point proves they
    // belong together.
    static constexpr std::uint8_t kProbe[] = {'t', 'a', 'l', 'l', 'y'};
    auto pub = import_public(parts->point);
    bool matches = false;
    try {
        matches = pub && verify_with(pub->get(), kProbe, sign_with(key->get(), kProbe));
    } catch (const std::runtime_error& e) {
        return make_error("bad_key", std::string("P-256 private key: ") + e.what());
    }
    if (!matches)
        return make_error("bad_key", "P-256 private key: the public point does not match");
    return SoftwareKey(std::make_unique<Impl>(Impl{std::move(*key)}));
}

std::string SoftwareKey::to_pem() const {
    auto parts = platform::p256_from_x963_private(external_representation(impl_->key.get()));
    if (!parts)
        throw std::runtime_error("could not export the private key: " + parts.error().message);
    return platform::p256_private_pem(*parts);
}

Bytes SoftwareKey::public_key() const {
    CfRef<SecKeyRef> pub(SecKeyCopyPublicKey(impl_->key.get()));
    if (!pub)
        throw std::runtime_error("SecKeyCopyPublicKey returned no key");
    Bytes point = external_representation(pub.get());
    if (point.size() != kPublicKeySize || point[0] != 0x04)
        throw std::runtime_error("public key is not an uncompressed P-256 point");
    return point;
}

Bytes SoftwareKey::sign(std::span<const std::uint8_t> message) const {
    return sign_with(impl_->key.get(), message);
}

}  // namespace tally::pairing
