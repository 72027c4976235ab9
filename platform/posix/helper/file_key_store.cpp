// FileKeyStore: the device key as a 0600 PKCS#8 PEM file.

#include "platform/posix/helper/file_key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "platform/posix/posix_error.h"
#include "platform/posix/posix_file_system.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {

FileKeyStore::FileKeyStore(const std::filesystem::path& state_dir)
    : path_(state_dir / "device.key") {}

bool FileKeyStore::has_key() const {
    struct stat st {};
    return ::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<void> FileKeyStore::create() {
    auto key = pairing::SoftwareKey::generate();
    if (!key)
        return key.error();
    PosixFileSystem files;
    return files.write_atomic(path_, key->to_pem(), /*owner_only=*/true);
}

Result<pairing::SoftwareKey> FileKeyStore::load() const {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) {
        if (errno == ENOENT)
            return make_error("no_key", "no device key at " + path_.string());
        return errno_error("open key file", path_, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return errno_error("stat key file", path_, errno);
    if (st.st_uid != ::geteuid()) {
        return make_error("insecure_permissions", "key file " + path_.string() +
                                                      " is owned by uid " +
                                                      std::to_string(st.st_uid) + ", not by uid " +
                                                      std::to_string(::geteuid()));
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return make_error("insecure_permissions",
                          "key file " + path_.string() + " has mode " + mode + "; expected 0600");
    }
    std::string pem;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno_error("read key file", path_, errno);
        }
        if (n == 0)
            break;
        pem.append(buf, static_cast<std::size_t>(n));
        if (pem.size() > (64u << 10))
            return make_error("bad_key", "key file too large");
    }
    auto key = pairing::SoftwareKey::from_pem(pem);
    if (!key) {
        return make_error("bad_key",
                          "key file " + path_.string() +
                              " is not a usable P-256 private key: " + key.error().message);
    }
    return key;
}

Result<pairing::Bytes> FileKeyStore::public_key() const {
    auto key = load();
    if (!key)
        return key.error();
    return key->public_key();
}

Result<pairing::Bytes> FileKeyStore::sign(std::span<const std::uint8_t> message) const {
    auto key = load();
    if (!key)
        return key.error();
    return key->sign(message);
}

Result<void> FileKeyStore::destroy() {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
        return errno_error("remove key file", path_, errno);
    return PosixFileSystem{}.sync_directory(path_.parent_path().empty() ? "."
                                                                        : path_.parent_path());
}

std::string FileKeyStore::describe() const {
    return "file:" + path_.string();
}

}  // namespace tally::platform
