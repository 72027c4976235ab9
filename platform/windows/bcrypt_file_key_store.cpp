// BCrypt P-256 key in a protected file (see bcrypt_file_key_store.h).

#include "platform/windows/bcrypt_file_key_store.h"

#include <windows.h>

#include <bcrypt.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "pairing/crypto.h"

namespace tally::platform {
namespace {

constexpr std::size_t kBlobSize = sizeof(BCRYPT_ECCKEY_BLOB) + 96;  // X, Y, d

struct Key {
    BCRYPT_ALG_HANDLE alg = nullptr;
    BCRYPT_KEY_HANDLE key = nullptr;
    Key() { BCryptOpenAlgorithmProvider(&alg, BCRYPT_ECDSA_P256_ALGORITHM, nullptr, 0); }
    Key(const Key&) = delete;
    Key& operator=(const Key&) = delete;
    ~Key() {
        if (key != nullptr)
            BCryptDestroyKey(key);
        if (alg != nullptr)
            BCryptCloseAlgorithmProvider(alg, 0);
    }
};

Result<std::vector<std::uint8_t>> read_blob(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return make_error("no_key", "no device key at " + p.string());
    std::vector<std::uint8_t> blob((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
    BCRYPT_ECCKEY_BLOB header{};
    if (blob.size() == kBlobSize)
        std::memcpy(&header, blob.data(), sizeof header);
    if (blob.size() != kBlobSize || header.dwMagic != BCRYPT_ECDSA_PRIVATE_P256_MAGIC ||
        header.cbKey != 32)
        return make_error("bad_key", p.string() + " is not a P-256 private key blob");
    return blob;
}

Result<void> load(const std::filesystem::path& p, Key& k) {
    auto blob = read_blob(p);
    if (!blob)
        return blob.error();
    if (k.alg == nullptr ||
        BCryptImportKeyPair(k.alg, nullptr, BCRYPT_ECCPRIVATE_BLOB, &k.key, blob->data(),
                            static_cast<ULONG>(blob->size()), 0) < 0)
        return make_error("bad_key", "the key in " + p.string() + " does not import");
    SecureZeroMemory(blob->data(), blob->size());
    return {};
}

}  // namespace

BcryptFileKeyStore::BcryptFileKeyStore(std::filesystem::path key_path)
    : path_(std::move(key_path)) {}

bool BcryptFileKeyStore::has_key() const {
    return static_cast<bool>(read_blob(path_));
}

Result<void> BcryptFileKeyStore::create() {
    Key k;
    if (k.alg == nullptr || BCryptGenerateKeyPair(k.alg, &k.key, 256, 0) < 0 ||
        BCryptFinalizeKeyPair(k.key, 0) < 0)
        return make_error("key", "BCrypt could not generate a P-256 key");
    std::string blob(kBlobSize, '\0');
    ULONG len = 0;
    if (BCryptExportKey(k.key, nullptr, BCRYPT_ECCPRIVATE_BLOB,
                        reinterpret_cast<PUCHAR>(blob.data()), static_cast<ULONG>(blob.size()),
                        &len, 0) < 0 ||
        len != kBlobSize)
        return make_error("key", "BCrypt could not export the new key");
    auto r = files_.write_atomic(path_, blob, true);
    SecureZeroMemory(blob.data(), blob.size());
    return r;
}

Result<pairing::Bytes> BcryptFileKeyStore::public_key() const {
    auto blob = read_blob(path_);
    if (!blob)
        return blob.error();
    pairing::Bytes out(pairing::kPublicKeySize);
    out[0] = 0x04;
    std::memcpy(out.data() + 1, blob->data() + sizeof(BCRYPT_ECCKEY_BLOB), 64);
    SecureZeroMemory(blob->data(), blob->size());
    return out;
}

Result<pairing::Bytes> BcryptFileKeyStore::sign(std::span<const std::uint8_t> message) const {
    Key k;
    if (auto r = load(path_, k); !r)
        return r.error();
    pairing::Bytes hash = pairing::sha256(message);
    pairing::Bytes sig(pairing::kSignatureSize);
    ULONG len = 0;
    if (BCryptSignHash(k.key, nullptr, hash.data(), static_cast<ULONG>(hash.size()), sig.data(),
                       static_cast<ULONG>(sig.size()), &len, 0) < 0 ||
        len != pairing::kSignatureSize)
        return make_error("key", "signing with the device key failed");
    return sig;
}

Result<void> BcryptFileKeyStore::destroy() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    if (ec)
        return make_error("io", "remove " + path_.string() + ": " + ec.message());
    return {};
}

std::string BcryptFileKeyStore::describe() const {
    return "file:" + path_.string();
}

}  // namespace tally::platform
