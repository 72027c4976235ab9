// HelperKeyStore: key operations in the crypto helper (see helper_key_store.h).

#include "platform/linux/helper_key_store.h"

namespace tally::platform {
namespace {

constexpr std::chrono::seconds kKeyLimit{30};

Result<pairing::Bytes> bytes_of(const Result<Frame>& answer, std::size_t size, const char* what) {
    if (!answer)
        return answer.error();
    if (answer->size() != 1 || (*answer)[0].size() != size)
        return make_error("bad_frame", std::string("the crypto helper gave a malformed ") + what);
    const auto& s = (*answer)[0];
    return pairing::Bytes(s.begin(), s.end());
}

}  // namespace

HelperKeyStore::HelperKeyStore(const std::filesystem::path& state_dir,
                               std::shared_ptr<CryptoHelperClient> helper)
    : file_(state_dir), helper_(std::move(helper)) {}

bool HelperKeyStore::has_key() const {
    return file_.has_key();
}

Result<void> HelperKeyStore::create() {
    auto answer = helper_->call({"create"}, kKeyLimit);
    helper_->release();
    if (!answer)
        return answer.error();
    return {};
}

Result<pairing::Bytes> HelperKeyStore::public_key() const {
    auto answer = helper_->call({"public_key"}, kKeyLimit);
    helper_->release();
    return bytes_of(answer, pairing::kPublicKeySize, "public key");
}

Result<pairing::Bytes> HelperKeyStore::sign(std::span<const std::uint8_t> message) const {
    auto answer = helper_->call({"sign", std::string(message.begin(), message.end())}, kKeyLimit);
    return bytes_of(answer, pairing::kSignatureSize, "signature");
}

Result<void> HelperKeyStore::destroy() {
    return file_.destroy();
}

std::string HelperKeyStore::describe() const {
    return file_.describe();
}

}  // namespace tally::platform
