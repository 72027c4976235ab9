// The helper's TLS session file (see tls_session_file.h).

#include "platform/posix/helper/tls_session_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/posix/posix_file_system.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {
namespace {

constexpr std::size_t kMaxSessionFile = 16u << 10;

}  // namespace

std::optional<std::string> load_tls_session(const std::filesystem::path& file,
                                            const std::string& key) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != ::geteuid() || (st.st_mode & 077) != 0 ||
        st.st_size > static_cast<off_t>(kMaxSessionFile))
        return std::nullopt;
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    if (::read(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
        return std::nullopt;
    const auto nl = bytes.find('\n');
    if (nl == std::string::npos || bytes.compare(0, nl, key) != 0 || nl != key.size())
        return std::nullopt;
    return bytes.substr(nl + 1);
}

void store_tls_session(const std::filesystem::path& file, const std::string& key,
                       const std::string& der) {
    if (key.find('\n') != std::string::npos)
        return;
    (void)PosixFileSystem{}.replace_unflushed(file, key + "\n" + der, /*owner_only=*/true);
}

}  // namespace tally::platform
