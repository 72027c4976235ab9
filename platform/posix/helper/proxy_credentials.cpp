// Proxy credentials file (see proxy_credentials.h).

#include "platform/posix/helper/proxy_credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "platform/posix/posix_error.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {
namespace {

constexpr std::size_t kMaxCredentials = 4096;

Error bad(const std::filesystem::path& file, const std::string& what) {
    return make_error("bad_proxy_credentials",
                      "proxy credentials file " + file.string() + ": " + what);
}

}  // namespace

Result<std::string> read_proxy_credentials(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid())
        return errno_error("open proxy credentials file", file, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return errno_error("stat proxy credentials file", file, errno);
    if (!S_ISREG(st.st_mode))
        return bad(file, "not a regular file");
    if (st.st_uid != ::geteuid())
        return bad(file, "owned by uid " + std::to_string(st.st_uid) + ", not by uid " +
                             std::to_string(::geteuid()));
    if ((st.st_mode & 077) != 0)
        return bad(file, "readable or writable by others; expected mode 0600");
    if (st.st_size <= 0 || static_cast<std::size_t>(st.st_size) > kMaxCredentials)
        return bad(file, "expected one line \"user:password\"");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    if (::read(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return errno_error("read proxy credentials file", file, errno);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    if (text.find(':') == std::string::npos || text.front() == ':' ||
        text.find_first_of("\r\n") != std::string::npos)
        return bad(file, "expected one line \"user:password\"");
    return text;
}

}  // namespace tally::platform
