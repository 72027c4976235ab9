// Opening without following links (see no_follow_open.h).

#include "platform/posix/no_follow_open.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <vector>

#include "platform/posix/posix_error.h"

namespace tally::platform {
namespace {

//! When openat failed with `err`: a "symlink" error if `name` under `dir` is a link.
Error open_error(int dir, const std::string& name, const std::filesystem::path& shown, int err) {
    struct stat st {};
    if ((err == ELOOP || err == ENOTDIR || err == EMLINK) &&
        ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        return make_error("symlink", shown.string() +
                                         " is a symbolic link: the agent opens its state and "
                                         "config files without following links (use the real "
                                         "path)");
    }
    if (err == ENOENT)
        return make_error("not_found", shown.string() + " does not exist");
    return errno_error("open", shown, err);
}

}  // namespace

Result<UniqueFd> open_no_follow(const std::filesystem::path& p, int flags, mode_t mode) {
    std::vector<std::string> parts;
    for (const auto& c : p.relative_path()) {
        const std::string s = c.string();
        if (!s.empty() && s != ".")
            parts.push_back(s);
    }
    const char* start = p.is_absolute() ? "/" : ".";
    if (parts.empty()) {  // "/" or "." itself
        UniqueFd self(::open(start, flags | O_CLOEXEC, mode));
        if (!self.valid())
            return errno_error("open", start, errno);
        return self;
    }
    UniqueFd dir(::open(start, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        return errno_error("open", start, errno);
    std::filesystem::path shown = p.is_absolute() ? "/" : "";
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        shown /= parts[i];
        UniqueFd next(
            ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid())
            return open_error(dir.get(), parts[i], shown, errno);
        dir = std::move(next);
    }
    shown /= parts.back();
    UniqueFd fd(::openat(dir.get(), parts.back().c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode));
    if (!fd.valid())
        return open_error(dir.get(), parts.back(), shown, errno);
    return fd;
}

}  // namespace tally::platform
