// PosixFileSystem: durable appends, atomic replace, owner-only files and directories.

#include "platform/posix/posix_file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "pairing/bytes.h"
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
        if (::fdatasync(fd_.get()) != 0)
            return errno_error("fdatasync", path_, errno);
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

}  // namespace

Result<std::unique_ptr<agent::AppendFile>> PosixFileSystem::open_append(
    const std::filesystem::path& p) {
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
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
    const auto dir = parent_or_dot(p);
    std::string tmpl = (dir / ("." + p.filename().string() + ".tmp.XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    // mkstemp creates the file 0600, so a secret is never readable by others, not even briefly.
    UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
    if (!fd.valid())
        return errno_error("create temporary file for", p, errno);
    const std::filesystem::path tmp(name.data());
    auto fail = [&](Error e) -> Result<void> {
        fd.reset();
        ::unlink(tmp.c_str());
        return e;
    };
    if (!owner_only && ::fchmod(fd.get(), 0644) != 0)
        return fail(errno_error("chmod", tmp, errno));
    if (auto r = write_all(fd.get(), pairing::as_bytes(data), tmp); !r)
        return fail(r.error());
    if (flush && ::fsync(fd.get()) != 0)
        return fail(errno_error("fsync", tmp, errno));
    if (int err = fd.close_checked(); err != 0)
        return fail(errno_error("close", tmp, err));
    if (::rename(tmp.c_str(), p.c_str()) != 0)
        return fail(errno_error("rename onto", p, errno));
    return flush ? sync_directory(dir) : Result<void>{};
}

Result<void> PosixFileSystem::truncate(const std::filesystem::path& p, std::uint64_t size) {
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid())
        return errno_error("open", p, errno);
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
        return errno_error("truncate", p, errno);
    if (::fsync(fd.get()) != 0)
        return errno_error("fsync", p, errno);
    return {};
}

Result<void> PosixFileSystem::sync_directory(const std::filesystem::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid())
        return errno_error("open directory", dir, errno);
    if (::fsync(fd.get()) != 0)
        return errno_error("fsync directory", dir, errno);
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
    // An existing directory of ours is tightened; one owned by someone else is refused.
    if ((st.st_mode & 077) != 0) {
        if (st.st_uid != ::geteuid())
            return check_owner_only(dir);
        if (::chmod(dir.c_str(), 0700) != 0)
            return errno_error("chmod", dir, errno);
    }
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

}  // namespace tally::platform
