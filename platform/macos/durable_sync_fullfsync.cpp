// durable_sync() on macOS. fsync(2) there moves the data to the drive, but "the drive itself
// may not physically write the data … for quite some time" and may reorder it; the
// F_FULLFSYNC fcntl "asks the drive to flush all buffered data to permanent storage"
// (fsync(2), fcntl(2)). A closed heartbeat must survive power loss, so every durable flush
// (data, metadata, directories) is F_FULLFSYNC. File systems that do not support it (some
// network and FAT volumes) answer with an error; then fsync is the best there is, as in
// SQLite's os_unix.c full_fsync().

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "platform/posix/durable_sync.h"

namespace tally::platform {

int durable_sync(int fd, SyncScope /*scope*/) {
    if (::fcntl(fd, F_FULLFSYNC) == 0)
        return 0;
    const int full_error = errno;
    if (full_error == EBADF || full_error == EIO || full_error == ENOSPC)
        return full_error;  // a real failure, not "unsupported here"
    return ::fsync(fd) == 0 ? 0 : errno;
}

const char* durable_sync_name(SyncScope /*scope*/) {
    return "F_FULLFSYNC";
}

}  // namespace tally::platform
