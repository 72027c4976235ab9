// PosixFileSystem: durable appends, atomic replace, owner-only files and directories.

#include "platform/posix/posix_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "pairing/bytes.h"
#include "platform/posix/durable_sync.h"
#include "platform/posix/no_follow_open.h"
#include "platform/posix/posix_error.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {
namespace {

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

Result<void> write_all(int fd, std::span<const std::uint8_t> data, const std::filesystem::path& p) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno_error("write", p, errno);
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

class PosixAppendFile : public agent::AppendFile {
  public:
    PosixAppendFile(UniqueFd fd, std::filesystem::path path, std::uint64_t size)
        : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}

    Result<void> append(std::span<const std::uint8_t> data) override {
        auto r = write_all(fd_.get(), data, path_);
        if (!r) {
            // A partial write may have landed; the size on disk is the truth.
            struct stat st {};
            if (::fstat(fd_.get(), &st) == 0)
                size_ = static_cast<std::uint64_t>(st.st_size);
            return r;
        }
        size_ += data.size();
        return {};
    }

    Result<void> sync() override {
        if (int err = durable_sync(fd_.get(), SyncScope::data); err != 0)
            return errno_error(durable_sync_name(SyncScope::data), path_, err);
        return {};
    }

    std::uint64_t size() const override { return size_; }

  private:
    UniqueFd fd_;
    std::filesystem::path path_;
    std::uint64_t size_;
};

std::filesystem::path parent_or_dot(const std::filesystem::path& p) {
    auto parent = p.parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

//! 12 hex digits for a temporary file's name (mkstemp has no openat form).
std::string random_suffix() {
    static thread_local std::mt19937_64 engine{std::random_device{}()};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%012llx",
                  static_cast<unsigned long long>(engine() & 0xffffffffffffULL));
    return buf;
}

}  // namespace

Result<std::unique_ptr<agent::AppendFile>> PosixFileSystem::open_append(
    const std::filesystem::path& p) {
    // O_NOFOLLOW: a state file swapped for a symlink is an error, never a write elsewhere.
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid())
        return errno_error("open", p, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return errno_error("stat", p, errno);
    return std::unique_ptr<agent::AppendFile>(std::make_unique<PosixAppendFile>(
        std::move(fd), p, static_cast<std::uint64_t>(st.st_size)));
}

Result<void> PosixFileSystem::write_atomic(const std::filesystem::path& p, std::string_view data,
                                           bool owner_only) {
    return replace(p, data, owner_only, true);
}

Result<void> PosixFileSystem::replace_unflushed(const std::filesystem::path& p,
                                                std::string_view data, bool owner_only) {
    return replace(p, data, owner_only, false);
}

Result<void> PosixFileSystem::replace(const std::filesystem::path& p, std::string_view data,
                                      bool owner_only, bool flush) {
    // Everything relative to the directory, opened without following links (no_follow_open.h):
    // the temporary file, the rename and the directory flush all happen in that directory.
    const auto dir_path = parent_or_dot(p);
    auto dir = open_no_follow(dir_path, O_RDONLY | O_DIRECTORY);
    if (!dir)
        return make_error(dir.error().code,
                          "cannot write " + p.string() + ": " + dir.error().message);
    const std::string final_name = p.filename().string();
    std::string tmp_name;
    UniqueFd fd;
    for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
        tmp_name = "." + final_name + ".tmp." + random_suffix();
        // 0600 from creation: a secret is never readable by others, not even briefly.
        fd = UniqueFd(::openat(dir->get(), tmp_name.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.valid() && errno != EEXIST)
            break;
    }
    if (!fd.valid())
        return errno_error("create temporary file for", p, errno);
    const std::filesystem::path tmp = dir_path / tmp_name;
    auto fail = [&](Error e) -> Result<void> {
        fd.reset();
        ::unlinkat(dir->get(), tmp_name.c_str(), 0);
        return e;
    };
    if (!owner_only && ::fchmod(fd.get(), 0644) != 0)
        return fail(errno_error("chmod", tmp, errno));
    if (auto r = write_all(fd.get(), pairing::as_bytes(data), tmp); !r)
        return fail(r.error());
    if (int err = flush ? durable_sync(fd.get(), SyncScope::everything) : 0; err != 0)
        return fail(errno_error(durable_sync_name(SyncScope::everything), tmp, err));
    if (int err = fd.close_checked(); err != 0)
        return fail(errno_error("close", tmp, err));
    if (::renameat(dir->get(), tmp_name.c_str(), dir->get(), final_name.c_str()) != 0)
        return fail(errno_error("rename onto", p, errno));
    if (int err = flush ? durable_sync(dir->get(), SyncScope::everything) : 0; err != 0) {
        return errno_error(std::string(durable_sync_name(SyncScope::everything)) + " directory",
                           dir_path, err);
    }
    return {};
}

Result<void> PosixFileSystem::truncate(const std::filesystem::path& p, std::uint64_t size) {
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid())
        return errno_error("open", p, errno);
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
        return errno_error("truncate", p, errno);
    if (int err = durable_sync(fd.get(), SyncScope::everything); err != 0)
        return errno_error(durable_sync_name(SyncScope::everything), p, err);
    return {};
}

Result<void> PosixFileSystem::sync_directory(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return errno_error("open directory", dir, errno);
    if (int err = durable_sync(fd.get(), SyncScope::everything); err != 0)
        return errno_error(std::string(durable_sync_name(SyncScope::everything)) + " directory",
                           dir, err);
    return {};
}

Result<void> PosixFileSystem::create_private_directory(const std::filesystem::path& dir) {
    std::filesystem::path prefix;
    for (const auto& part : dir.lexically_normal()) {
        if (part.empty())
            continue;
        prefix /= part;
        if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
            return errno_error("create directory", prefix, errno);
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        return errno_error("stat", dir, errno);
    if (!S_ISDIR(st.st_mode))
        return make_error("io", dir.string() + " exists and is not a directory");
    // A directory owned by someone else, or one others may write to (they could swap our
    // files for links), is refused; one of ours that others may only read is tightened.
    if (st.st_uid != ::geteuid()) {
        return make_error("insecure_permissions",
                          "state directory " + dir.string() + " is owned by uid " +
                              std::to_string(st.st_uid) + ", not by uid " +
                              std::to_string(::geteuid()) + " (the agent's user)");
    }
    if ((st.st_mode & 022) != 0) {
        return make_error("insecure_permissions",
                          "state directory " + dir.string() + " has mode " +
                              octal_mode(st.st_mode) +
                              ": writable by group or others; expected 0700 (chmod 0700 it)");
    }
    if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
        return errno_error("chmod", dir, errno);
    return {};
}

Result<void> PosixFileSystem::check_owner_only(const std::filesystem::path& p) const {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
        return errno_error("stat", p, errno);
    if (st.st_uid != ::geteuid()) {
        return make_error("insecure_permissions", p.string() + " is owned by uid " +
                                                      std::to_string(st.st_uid) + ", not by uid " +
                                                      std::to_string(::geteuid()));
    }
    if ((st.st_mode & 077) != 0) {
        const char* expected = S_ISDIR(st.st_mode) ? "0700" : "0600";
        return make_error("insecure_permissions", p.string() + " has mode " +
                                                      octal_mode(st.st_mode) + "; expected " +
                                                      expected + " (owner only)");
    }
    return {};
}

Result<std::optional<std::string>> PosixFileSystem::read_file(const std::filesystem::path& p,
                                                              std::size_t max_bytes) const {
    auto fd = open_no_follow(p, O_RDONLY);
    if (!fd) {
        if (fd.error().code == "not_found")
            return std::optional<std::string>{};
        return fd.error();
    }
    struct stat st {};
    if (::fstat(fd->get(), &st) != 0)
        return errno_error("stat", p, errno);
    if (!S_ISREG(st.st_mode))
        return make_error("io", p.string() + " is not a regular file");
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd->get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_error("read", p, errno);
        if (n == 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > max_bytes) {
            return make_error(
                "io", p.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
        }
    }
    return std::optional<std::string>(std::move(text));
}

}  // namespace tally::platform
