// durable_sync() where fdatasync/fsync reach stable storage (Linux).

#include <unistd.h>

#include <cerrno>

#include "platform/posix/durable_sync.h"

namespace tally::platform {

int durable_sync(int fd, SyncScope scope) {
    const int rc = scope == SyncScope::data ? ::fdatasync(fd) : ::fsync(fd);
    return rc == 0 ? 0 : errno;
}

const char* durable_sync_name(SyncScope scope) {
    return scope == SyncScope::data ? "fdatasync" : "fsync";
}

}  // namespace tally::platform
