// CNG machine key (see cng_key_store.h).

#include "platform/windows/cng_key_store.h"

#include <windows.h>

#include <ncrypt.h>

#include <cstring>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/windows/private_acl.h"
#include "platform/windows/win_error.h"
#include "platform/windows/windows_file_system.h"

namespace tally::platform {
namespace {

struct NcryptHandle {
    NCRYPT_HANDLE h = 0;
    NcryptHandle() = default;
    NcryptHandle(const NcryptHandle&) = delete;
    NcryptHandle& operator=(const NcryptHandle&) = delete;
    ~NcryptHandle() { reset(); }
    void reset() {
        if (h != 0)
            NCryptFreeObject(h);
        h = 0;
    }
};

constexpr DWORD kMachine = NCRYPT_MACHINE_KEY_FLAG;

}  // namespace

std::string ncrypt_error(const char* what, long status) {
    return win_error(what, static_cast<std::uint32_t>(status));
}

struct CngKeyStore::Impl {
    std::wstring name;
    NcryptHandle provider;
    std::string storage = "none";
    std::string open_error;

    Result<NCRYPT_KEY_HANDLE> open_key() const {
        if (provider.h == 0)
            return make_error("key", "no CNG key storage provider: " + open_error);
        NCRYPT_KEY_HANDLE key = 0;
        const SECURITY_STATUS s = NCryptOpenKey(provider.h, &key, name.c_str(), 0, kMachine);
        if (s != ERROR_SUCCESS)
            return make_error("no_key", ncrypt_error("open the device key", s));
        return key;
    }
};

CngKeyStore::CngKeyStore(std::wstring key_name, bool try_tpm) : impl_(std::make_unique<Impl>()) {
    impl_->name = std::move(key_name);
    if (try_tpm) {
        const SECURITY_STATUS s =
            NCryptOpenStorageProvider(&impl_->provider.h, MS_PLATFORM_CRYPTO_PROVIDER, 0);
        if (s == ERROR_SUCCESS) {
            impl_->storage = "tpm";
            return;
        }
        impl_->provider.h = 0;
    }
    const SECURITY_STATUS s =
        NCryptOpenStorageProvider(&impl_->provider.h, MS_KEY_STORAGE_PROVIDER, 0);
    if (s == ERROR_SUCCESS) {
        impl_->storage = "software";
    } else {
        impl_->provider.h = 0;
        impl_->open_error = ncrypt_error("open the Software KSP", s);
    }
}

CngKeyStore::~CngKeyStore() = default;

bool CngKeyStore::has_key() const {
    auto key = impl_->open_key();
    if (!key)
        return false;
    NCryptFreeObject(*key);
    return true;
}

Result<void> CngKeyStore::create() {
    if (impl_->provider.h == 0)
        return make_error("key", "no CNG key storage provider: " + impl_->open_error);
    NcryptHandle key;
    SECURITY_STATUS s = NCryptCreatePersistedKey(impl_->provider.h, &key.h,
                                                 NCRYPT_ECDSA_P256_ALGORITHM, impl_->name.c_str(),
                                                 0, kMachine | NCRYPT_OVERWRITE_KEY_FLAG);
    if (s != ERROR_SUCCESS)
        return make_error("key", ncrypt_error("create the device key", s));
    DWORD policy = 0;  // not exportable, not even once
    NCryptSetProperty(key.h, NCRYPT_EXPORT_POLICY_PROPERTY, reinterpret_cast<PBYTE>(&policy),
                      sizeof policy, NCRYPT_PERSIST_FLAG);
    auto sa = SecurityAttributes::from_sddl(kPrivateSddl);
    if (!sa)
        return sa.error();
    const DWORD sd_size = GetSecurityDescriptorLength(sa->descriptor());
    s = NCryptSetProperty(key.h, NCRYPT_SECURITY_DESCR_PROPERTY,
                          static_cast<PBYTE>(sa->descriptor()), sd_size,
                          DACL_SECURITY_INFORMATION | NCRYPT_PERSIST_FLAG);
    if (s != ERROR_SUCCESS && s != NTE_NOT_SUPPORTED)
        return make_error("key", ncrypt_error("set the device key's ACL", s));
    s = NCryptFinalizeKey(key.h, 0);
    if (s != ERROR_SUCCESS)
        return make_error("key", ncrypt_error("finalize the device key", s));
    return {};
}

Result<pairing::Bytes> CngKeyStore::public_key() const {
    auto key = impl_->open_key();
    if (!key)
        return key.error();
    NcryptHandle owned;
    owned.h = *key;
    BYTE blob[sizeof(BCRYPT_ECCKEY_BLOB) + 64] = {0};
    DWORD len = 0;
    const SECURITY_STATUS s =
        NCryptExportKey(*key, 0, BCRYPT_ECCPUBLIC_BLOB, nullptr, blob, sizeof blob, &len, 0);
    if (s != ERROR_SUCCESS || len != sizeof blob)
        return make_error("key", ncrypt_error("export the device public key", s));
    pairing::Bytes out(pairing::kPublicKeySize);
    out[0] = 0x04;
    std::memcpy(out.data() + 1, blob + sizeof(BCRYPT_ECCKEY_BLOB), 64);
    return out;
}

Result<pairing::Bytes> CngKeyStore::sign(std::span<const std::uint8_t> message) const {
    auto key = impl_->open_key();
    if (!key)
        return key.error();
    NcryptHandle owned;
    owned.h = *key;
    pairing::Bytes hash = pairing::sha256(message);
    pairing::Bytes sig(pairing::kSignatureSize);
    DWORD len = 0;
    const SECURITY_STATUS s = NCryptSignHash(*key, nullptr, hash.data(), hash.size(), sig.data(),
                                             sig.size(), &len, 0);
    if (s != ERROR_SUCCESS || len != pairing::kSignatureSize)
        return make_error("key", ncrypt_error("sign with the device key", s));
    return sig;
}

Result<void> CngKeyStore::destroy() {
    auto key = impl_->open_key();
    if (!key)
        return {};  // nothing to destroy
    const SECURITY_STATUS s = NCryptDeleteKey(*key, 0);  // frees the handle too
    if (s != ERROR_SUCCESS) {
        NCryptFreeObject(*key);
        return make_error("key", ncrypt_error("delete the device key", s));
    }
    return {};
}

std::string CngKeyStore::describe() const {
    return "cng:" + impl_->storage + ":" + narrow(impl_->name);
}

std::string CngKeyStore::storage() const {
    return impl_->storage;
}

std::wstring key_name_for(const std::wstring& state_dir) {
    const std::string hex = pairing::hex_encode(pairing::sha256(narrow(state_dir)));
    return L"Tally Device Key " + widen(hex.substr(0, 16));
}

}  // namespace tally::platform
