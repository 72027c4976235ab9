// crypto.h on Windows CNG (bcrypt.dll): SHA-256, HMAC, the system RNG and ECDSA P-256.
// Chosen by CMake for WIN32 builds instead of crypto_openssl.cpp; the agent on Windows ships
// no OpenSSL. SoftwareKey keeps its key in process memory (BCrypt); the agent's device key
// is a CNG machine key (platform/windows/cng_key_store.cpp) and never passes through here.
// PEM import/export is not provided by this backend (nothing on Windows needs it).

#include <windows.h>

#include <bcrypt.h>

#include <array>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "pairing/crypto.h"

namespace tally::pairing {
namespace {

bool ok(NTSTATUS s) {
    return s >= 0;
}

//! An algorithm provider opened once for the process (CNG providers are thread-safe).
class Algorithm {
  public:
    Algorithm(const wchar_t* id, ULONG flags) {
        if (!ok(BCryptOpenAlgorithmProvider(&h_, id, nullptr, flags)))
            h_ = nullptr;
    }
    ~Algorithm() {
        if (h_ != nullptr)
            BCryptCloseAlgorithmProvider(h_, 0);
    }
    Algorithm(const Algorithm&) = delete;
    Algorithm& operator=(const Algorithm&) = delete;
    BCRYPT_ALG_HANDLE get() const {
        if (h_ == nullptr)
            throw std::runtime_error("CNG algorithm provider unavailable");
        return h_;
    }

  private:
    BCRYPT_ALG_HANDLE h_ = nullptr;
};

const Algorithm& sha256_alg() {
    static const Algorithm a(BCRYPT_SHA256_ALGORITHM, 0);
    return a;
}
const Algorithm& hmac_alg() {
    static const Algorithm a(BCRYPT_SHA256_ALGORITHM, BCRYPT_ALG_HANDLE_HMAC_FLAG);
    return a;
}
const Algorithm& ecdsa_alg() {
    static const Algorithm a(BCRYPT_ECDSA_P256_ALGORITHM, 0);
    return a;
}

struct KeyHandle {
    BCRYPT_KEY_HANDLE h = nullptr;
    KeyHandle() = default;
    KeyHandle(KeyHandle&& o) noexcept : h(o.h) { o.h = nullptr; }
    KeyHandle& operator=(KeyHandle&& o) noexcept {
        std::swap(h, o.h);
        return *this;
    }
    ~KeyHandle() {
        if (h != nullptr)
            BCryptDestroyKey(h);
    }
};

Bytes digest(const Algorithm& alg, std::span<const std::uint8_t> key,
             std::span<const std::uint8_t> data) {
    BCRYPT_HASH_HANDLE hash = nullptr;
    auto* secret = key.empty() ? nullptr : const_cast<PUCHAR>(key.data());
    if (!ok(BCryptCreateHash(alg.get(), &hash, nullptr, 0, secret, static_cast<ULONG>(key.size()),
                             0)))
        throw std::runtime_error("BCryptCreateHash failed");
    Bytes out(kSha256Size);
    const bool done =
        ok(BCryptHashData(hash, const_cast<PUCHAR>(data.data()), static_cast<ULONG>(data.size()),
                          0)) &&
        ok(BCryptFinishHash(hash, out.data(), static_cast<ULONG>(out.size()), 0));
    BCryptDestroyHash(hash);
    if (!done)
        throw std::runtime_error("SHA-256 failed");
    return out;
}

//! 65-byte uncompressed point → BCRYPT_ECCPUBLIC_BLOB (header + X + Y).
std::optional<KeyHandle> import_public(std::span<const std::uint8_t> point) {
    if (point.size() != kPublicKeySize || point[0] != 0x04)
        return std::nullopt;
    Bytes blob(sizeof(BCRYPT_ECCKEY_BLOB) + 64);
    BCRYPT_ECCKEY_BLOB header{BCRYPT_ECDSA_PUBLIC_P256_MAGIC, 32};
    std::memcpy(blob.data(), &header, sizeof header);
    std::memcpy(blob.data() + sizeof header, point.data() + 1, 64);
    KeyHandle k;
    if (!ok(BCryptImportKeyPair(ecdsa_alg().get(), nullptr, BCRYPT_ECCPUBLIC_BLOB, &k.h,
                                blob.data(), static_cast<ULONG>(blob.size()), 0)))
        return std::nullopt;
    return k;
}

bool verify_with(BCRYPT_KEY_HANDLE key, std::span<const std::uint8_t> message,
                 std::span<const std::uint8_t> signature) {
    if (signature.size() != kSignatureSize)
        return false;
    Bytes h = sha256(message);
    return ok(BCryptVerifySignature(key, nullptr, h.data(), static_cast<ULONG>(h.size()),
                                    const_cast<PUCHAR>(signature.data()),
                                    static_cast<ULONG>(signature.size()), 0));
}

//! One DER INTEGER (positive, minimal) at `p`; appends its 32-byte big-endian value.
bool read_integer(std::span<const std::uint8_t> der, std::size_t& p, Bytes& out) {
    if (p + 2 > der.size() || der[p] != 0x02)
        return false;
    const std::size_t len = der[p + 1];
    p += 2;
    if (len == 0 || len > 33 || p + len > der.size())
        return false;
    const std::uint8_t* v = der.data() + p;
    if ((v[0] & 0x80) != 0)
        return false;  // negative
    if (len > 1 && v[0] == 0 && (v[1] & 0x80) == 0)
        return false;  // not minimal
    std::size_t skip = (v[0] == 0 && len > 1) ? 1 : 0;
    if (len - skip > 32)
        return false;
    out.insert(out.end(), 32 - (len - skip), 0);
    out.insert(out.end(), v + skip, v + len);
    p += len;
    return true;
}

void write_integer(std::span<const std::uint8_t> value, Bytes& out) {
    std::size_t i = 0;
    while (i + 1 < value.size() && value[i] == 0)
        ++i;
    const bool pad = (value[i] & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<std::uint8_t>(value.size() - i + (pad ? 1 : 0)));
    if (pad)
        out.push_back(0);
    out.insert(out.end(), value.begin() + static_cast<std::ptrdiff_t>(i), value.end());
}

}  // namespace

Bytes sha256(std::span<const std::uint8_t> data) {
    return digest(sha256_alg(), {}, data);
}

Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    static const std::uint8_t zero = 0;
    // CNG refuses an empty HMAC secret; HMAC pads the key with zeros, so one zero byte is equal.
    return digest(hmac_alg(), key.empty() ? std::span<const std::uint8_t>(&zero, 1) : key, data);
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n > 0 && !ok(BCryptGenRandom(nullptr, out.data(), static_cast<ULONG>(n),
                                     BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
        throw std::runtime_error("BCryptGenRandom failed");
    return out;
}

Result<Bytes> signature_from_der(std::span<const std::uint8_t> der) {
    if (der.size() < 8 || der[0] != 0x30 || der[1] >= 0x80 || der[1] + 2u != der.size())
        return make_error("bad_signature", "not a DER ECDSA signature");
    Bytes raw;
    std::size_t p = 2;
    if (!read_integer(der, p, raw) || !read_integer(der, p, raw) || p != der.size())
        return make_error("bad_signature", "DER signature is not canonical");
    return raw;
}

Bytes signature_to_der(std::span<const std::uint8_t> signature) {
    if (signature.size() != kSignatureSize)
        return {};
    Bytes body;
    write_integer(signature.first(32), body);
    write_integer(signature.subspan(32), body);
    Bytes out(body.size() + 2);
    out[0] = 0x30;
    out[1] = static_cast<std::uint8_t>(body.size());
    std::memcpy(out.data() + 2, body.data(), body.size());
    return out;
}

bool verify_signature(std::span<const std::uint8_t> public_key,
                      std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature) {
    auto key = import_public(public_key);
    return key && verify_with(key->h, message, signature);
}

struct PublicKey::Impl {
    KeyHandle key;
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PublicKey> PublicKey::parse(std::span<const std::uint8_t> point) {
    auto key = import_public(point);
    if (!key)
        return make_error("bad_key", "public key is not an uncompressed P-256 point");
    return PublicKey(std::make_unique<Impl>(Impl{std::move(*key)}));
}

bool PublicKey::verify(std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature) const {
    return verify_with(impl_->key.h, message, signature);
}

struct SoftwareKey::Impl {
    KeyHandle key;
};

SoftwareKey::SoftwareKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SoftwareKey::SoftwareKey(SoftwareKey&&) noexcept = default;
SoftwareKey& SoftwareKey::operator=(SoftwareKey&&) noexcept = default;
SoftwareKey::~SoftwareKey() = default;

Result<SoftwareKey> SoftwareKey::generate() {
    KeyHandle k;
    if (!ok(BCryptGenerateKeyPair(ecdsa_alg().get(), &k.h, 256, 0)) ||
        !ok(BCryptFinalizeKeyPair(k.h, 0)))
        return make_error("crypto", "could not generate a P-256 key");
    return SoftwareKey(std::make_unique<Impl>(Impl{std::move(k)}));
}

Result<SoftwareKey> SoftwareKey::from_pem(std::string_view) {
    return make_error("unsupported", "PEM private keys are not supported by the CNG backend");
}

std::string SoftwareKey::to_pem() const {
    throw std::runtime_error("PEM export is not supported by the CNG backend");
}

Bytes SoftwareKey::public_key() const {
    std::array<std::uint8_t, sizeof(BCRYPT_ECCKEY_BLOB) + 64> blob{};
    ULONG len = 0;
    if (!ok(BCryptExportKey(impl_->key.h, nullptr, BCRYPT_ECCPUBLIC_BLOB, blob.data(),
                            static_cast<ULONG>(blob.size()), &len, 0)) ||
        len != blob.size())
        throw std::runtime_error("could not export the public key");
    Bytes out(kPublicKeySize);
    out[0] = 0x04;
    std::memcpy(out.data() + 1, blob.data() + sizeof(BCRYPT_ECCKEY_BLOB), 64);
    return out;
}

Bytes SoftwareKey::sign(std::span<const std::uint8_t> message) const {
    Bytes h = sha256(message);
    Bytes sig(kSignatureSize);
    ULONG len = 0;
    if (!ok(BCryptSignHash(impl_->key.h, nullptr, h.data(), static_cast<ULONG>(h.size()),
                           sig.data(), static_cast<ULONG>(sig.size()), &len, 0)) ||
        len != kSignatureSize)
        throw std::runtime_error("ECDSA signing failed");
    return sig;
}

}  // namespace tally::pairing
