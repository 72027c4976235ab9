// HelperKeyStore: key operations in tally-agent-helper (see helper_key_store.h).

#include "platform/posix/helper_key_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "pairing/crypto.h"
#include "platform/posix/posix_error.h"
#include "platform/posix/posix_file_system.h"

namespace tally::platform {
namespace {

constexpr std::chrono::seconds kKeyLimit{30};

Result<pairing::Bytes> bytes_of(const Result<Frame>& answer, std::size_t size, const char* what) {
    if (!answer)
        return answer.error();
    if (answer->size() != 1 || (*answer)[0].size() != size)
        return make_error("bad_frame", std::string("tally-agent-helper gave a malformed ") + what);
    const auto& s = (*answer)[0];
    return pairing::Bytes(s.begin(), s.end());
}

}  // namespace

HelperKeyStore::HelperKeyStore(const std::filesystem::path& state_dir,
                               std::shared_ptr<CryptoHelperClient> helper)
    : path_(state_dir / "device.key"), helper_(std::move(helper)) {}

bool HelperKeyStore::has_key() const {
    struct stat st {};
    return ::lstat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode);
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
    helper_->release();
    return bytes_of(answer, pairing::kSignatureSize, "signature");
}

Result<void> HelperKeyStore::destroy() {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
        return errno_error("remove key file", path_, errno);
    return PosixFileSystem{}.sync_directory(path_.parent_path().empty() ? "."
                                                                        : path_.parent_path());
}

std::string HelperKeyStore::describe() const {
    return "file:" + path_.string();
}

}  // namespace tally::platform
