// pairing/crypto.h with OpenSSL 3, for Linux, macOS and the server: keys, signatures and
// randomness with the EVP APIs; SHA-256 and HMAC-SHA256 with the low-level SHA-256.
//
// The digests are not EVP, on purpose: the first EVP call loads OpenSSL 3's default provider,
// which leaves ~2 MB of libcrypto resident (measured: a process grows from 3.0 to 5.1 MB RSS
// on its first EVP_Digest, by 0.2 MB on SHA256_Init). The resident agent hashes (the heartbeat
// chain, salted principal names, its fingerprint) but never signs or speaks TLS itself (its
// crypto helper process does: platform/linux/crypto_helper*), so it must not touch EVP. The
// low-level functions are deprecated in OpenSSL 3 but still shipped; the digest is the same.

#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "pairing/crypto.h"

namespace tally::pairing {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

constexpr char kGroup[] = "prime256v1";

bool is_p256(EVP_PKEY* pkey) {
    if (EVP_PKEY_is_a(pkey, "EC") != 1)
        return false;
    char name[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1)
        return false;
    return std::strcmp(name, kGroup) == 0 || std::strcmp(name, "P-256") == 0;
}

PkeyPtr public_key_from_point(std::span<const std::uint8_t> point) {
    if (point.size() != kPublicKeySize || point[0] != 0x04)
        return nullptr;
    ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroup, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
        return nullptr;
    }
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1)
        return nullptr;
    EVP_PKEY* raw = nullptr;
    // fromdata decodes the point, which fails for a point that is not on the curve.
    if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return nullptr;
    }
    return PkeyPtr(raw);
}

Bytes sig_to_raw(const ECDSA_SIG* sig) {
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig, &r, &s);
    Bytes out(kSignatureSize);
    if (BN_bn2binpad(r, out.data(), 32) != 32 || BN_bn2binpad(s, out.data() + 32, 32) != 32) {
        return {};
    }
    return out;
}

class Sha256 {
  public:
    Sha256() { SHA256_Init(&ctx_); }
    Sha256& update(std::span<const std::uint8_t> data) {
        SHA256_Update(&ctx_, data.data(), data.size());
        return *this;
    }
    Bytes finish() {
        Bytes out(kSha256Size);
        SHA256_Final(out.data(), &ctx_);
        return out;
    }

  private:
    SHA256_CTX ctx_{};
};

}  // namespace

Bytes sha256(std::span<const std::uint8_t> data) {
    return Sha256().update(data).finish();
}

// RFC 2104 with a 64-byte block.
Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    constexpr std::size_t kBlock = 64;
    std::array<std::uint8_t, kBlock> block{};
    if (key.size() > kBlock) {
        const Bytes hashed = sha256(key);
        std::copy(hashed.begin(), hashed.end(), block.begin());
    } else {
        std::copy(key.begin(), key.end(), block.begin());
    }
    std::array<std::uint8_t, kBlock> inner_pad{};
    std::array<std::uint8_t, kBlock> outer_pad{};
    for (std::size_t i = 0; i < kBlock; ++i) {
        inner_pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x36);
        outer_pad[i] = static_cast<std::uint8_t>(block[i] ^ 0x5c);
    }
    const Bytes inner = Sha256().update(inner_pad).update(data).finish();
    return Sha256().update(outer_pad).update(inner).finish();
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
        throw std::runtime_error("RAND_bytes failed: no secure random source");
    }
    return out;
}

Result<Bytes> signature_from_der(std::span<const std::uint8_t> der) {
    const unsigned char* p = der.data();
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig || p != der.data() + der.size()) {
        return make_error("bad_signature", "not a DER ECDSA signature");
    }
    unsigned char* again = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &again);
    const bool canonical =
        len == static_cast<int>(der.size()) && std::memcmp(again, der.data(), der.size()) == 0;
    OPENSSL_free(again);
    if (!canonical)
        return make_error("bad_signature", "DER signature is not canonical");
    Bytes raw = sig_to_raw(sig.get());
    if (raw.empty())
        return make_error("bad_signature", "signature values exceed 32 bytes");
    return raw;
}

Bytes signature_to_der(std::span<const std::uint8_t> signature) {
    if (signature.size() != kSignatureSize)
        return {};
    SigPtr sig(ECDSA_SIG_new());
    BnPtr r(BN_bin2bn(signature.data(), 32, nullptr));
    BnPtr s(BN_bin2bn(signature.data() + 32, 32, nullptr));
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
        return {};
    r.release();  // owned by sig now
    s.release();
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0)
        return {};
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
}

namespace {

//! One DER INTEGER of a 32-byte big-endian value: minimal, positive (PROTOCOL.md §3's
//! signatures as OpenSSL's i2d_ECDSA_SIG writes them).
std::size_t der_integer(std::span<const std::uint8_t> value, std::uint8_t* out) {
    std::size_t skip = 0;
    while (skip + 1 < value.size() && value[skip] == 0) {
        ++skip;
    }
    const auto digits = value.subspan(skip);
    const bool pad = (digits[0] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = static_cast<std::uint8_t>(digits.size() + (pad ? 1 : 0));
    std::size_t n = 2;
    if (pad) {
        out[n++] = 0;
    }
    std::memcpy(out + n, digits.data(), digits.size());
    return n + digits.size();
}

//! signature_to_der into a fixed buffer (at most 72 bytes), without allocating.
struct DerSignature {
    std::array<std::uint8_t, 2 + 2 * 35> bytes{};
    std::size_t size = 0;

    explicit DerSignature(std::span<const std::uint8_t> signature) {
        std::size_t n = 2;
        n += der_integer(signature.first(32), bytes.data() + n);
        n += der_integer(signature.subspan(32), bytes.data() + n);
        bytes[0] = 0x30;
        bytes[1] = static_cast<std::uint8_t>(n - 2);
        size = n;
    }
};

bool verify_with(EVP_PKEY* pkey, std::span<const std::uint8_t> message,
                 std::span<const std::uint8_t> signature) {
    if (signature.size() != kSignatureSize)
        return false;
    const DerSignature der(signature);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1) {
        return false;
    }
    return EVP_DigestVerify(ctx.get(), der.bytes.data(), der.size, message.data(),
                            message.size()) == 1;
}

}  // namespace

bool verify_signature(std::span<const std::uint8_t> public_key,
                      std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature) {
    if (signature.size() != kSignatureSize)
        return false;
    PkeyPtr pkey = public_key_from_point(public_key);
    if (!pkey)
        return false;
    return verify_with(pkey.get(), message, signature);
}

//! The parsed key, and verify contexts initialised for it once (EVP_PKEY_verify_init fetches
//! the ECDSA implementation from the provider: ~4 % of the server's CPU per request when done
//! for every signature). A context serves one thread at a time: each verify takes one from
//! the pool (or makes one) and gives it back, so there are at most as many as threads ever
//! verified with this key at once. The digest is SHA-256 computed here, the same bytes
//! EVP_DigestVerify would hash.
struct PublicKey::Impl {
    PkeyPtr pkey;
    std::mutex mutex;
    std::vector<PkeyCtxPtr> idle;  //!< guarded by mutex

    PkeyCtxPtr take() {
        {
            std::lock_guard lock(mutex);
            if (!idle.empty()) {
                auto ctx = std::move(idle.back());
                idle.pop_back();
                return ctx;
            }
        }
        PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
        if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
            return nullptr;
        }
        return ctx;
    }

    void give_back(PkeyCtxPtr ctx) {
        std::lock_guard lock(mutex);
        idle.push_back(std::move(ctx));
    }
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PublicKey> PublicKey::parse(std::span<const std::uint8_t> point) {
    PkeyPtr pkey = public_key_from_point(point);
    if (!pkey)
        return make_error("bad_key", "not an uncompressed P-256 point");
    auto impl = std::make_unique<Impl>();
    impl->pkey = std::move(pkey);
    return PublicKey(std::move(impl));
}

bool PublicKey::verify(std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature) const {
    if (signature.size() != kSignatureSize)
        return false;
    auto ctx = impl_->take();
    if (!ctx) {
        return verify_with(impl_->pkey.get(), message, signature);
    }
    const DerSignature der(signature);
    std::array<std::uint8_t, kSha256Size> digest{};
    SHA256(message.data(), message.size(), digest.data());
    const bool ok =
        EVP_PKEY_verify(ctx.get(), der.bytes.data(), der.size, digest.data(), digest.size()) == 1;
    impl_->give_back(std::move(ctx));
    return ok;
}

struct SoftwareKey::Impl {
    PkeyPtr pkey;
};

SoftwareKey::SoftwareKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SoftwareKey::SoftwareKey(SoftwareKey&&) noexcept = default;
SoftwareKey& SoftwareKey::operator=(SoftwareKey&&) noexcept = default;
SoftwareKey::~SoftwareKey() = default;

Result<SoftwareKey> SoftwareKey::generate() {
    PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kGroup));
    if (!pkey)
        return make_error("crypto", "could not generate a P-256 key");
    return SoftwareKey(std::make_unique<Impl>(Impl{std::move(pkey)}));
}

Result<SoftwareKey> SoftwareKey::from_pem(std::string_view pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio)
        return make_error("crypto", "out of memory");
    PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey)
        return make_error("bad_key", "not a PEM private key");
    if (!is_p256(pkey.get()))
        return make_error("bad_key", "private key is not ECDSA P-256");
    return SoftwareKey(std::make_unique<Impl>(Impl{std::move(pkey)}));
}

std::string SoftwareKey::to_pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        throw std::runtime_error("could not write the private key as PEM");
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

Bytes SoftwareKey::public_key() const {
    Bytes out(kPublicKeySize);
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(impl_->pkey.get(), OSSL_PKEY_PARAM_PUB_KEY, out.data(),
                                        out.size(), &len) != 1 ||
        len != kPublicKeySize || out[0] != 0x04) {
        throw std::runtime_error("could not export the public key as an uncompressed point");
    }
    return out;
}

Bytes SoftwareKey::sign(std::span<const std::uint8_t> message) const {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx ||
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
        throw std::runtime_error("ECDSA signing failed");
    }
    Bytes der(len);
    if (EVP_DigestSign(ctx.get(), der.data(), &len, message.data(), message.size()) != 1) {
        throw std::runtime_error("ECDSA signing failed");
    }
    der.resize(len);
    const unsigned char* p = der.data();
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    Bytes raw = sig ? sig_to_raw(sig.get()) : Bytes{};
    if (raw.empty())
        throw std::runtime_error("ECDSA signature has an unexpected form");
    return raw;
}

}  // namespace tally::pairing
