// CNG first, protected file where CNG cannot (see windows_key_store.h).

#include "platform/windows/windows_key_store.h"

#include "agent/log.h"

namespace tally::platform {

WindowsKeyStore::WindowsKeyStore(std::unique_ptr<CngKeyStore> cng,
                                 std::unique_ptr<BcryptFileKeyStore> file)
    : cng_(std::move(cng)), file_(std::move(file)) {}

const agent::KeyStore& WindowsKeyStore::current() const {
    if (file_->has_key() && !cng_->has_key())
        return *file_;
    return *cng_;
}

bool WindowsKeyStore::has_key() const {
    return cng_->has_key() || file_->has_key();
}

Result<void> WindowsKeyStore::create() {
    auto r = cng_->create();
    if (r) {
        (void)file_->destroy();  // a new CNG key replaces any file key
        return r;
    }
    agent::log_warn("key", r.error().message + "; keeping the key in a protected file instead");
    return file_->create();
}

Result<pairing::Bytes> WindowsKeyStore::public_key() const {
    return current().public_key();
}

Result<pairing::Bytes> WindowsKeyStore::sign(std::span<const std::uint8_t> message) const {
    return current().sign(message);
}

Result<void> WindowsKeyStore::destroy() {
    auto a = cng_->destroy();
    auto b = file_->destroy();
    return a ? b : a;
}

std::string WindowsKeyStore::describe() const {
    return current().describe();
}

std::string WindowsKeyStore::storage() const {
    if (file_->has_key() && !cng_->has_key())
        return "file";
    return cng_->storage();
}

}  // namespace tally::platform
