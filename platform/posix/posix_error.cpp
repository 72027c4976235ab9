// errno → tally::Error with the operation, the path and strerror text.

#include "platform/posix/posix_error.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace tally::platform {

Error errno_error(std::string_view operation, const std::filesystem::path& path, int err) {
    std::string message(operation);
    message += " ";
    message += path.string();
    message += ": ";
    message += std::strerror(err);
    return make_error(err == ENOSPC ? "disk_full" : "io", std::move(message));
}

}  // namespace tally::platform
