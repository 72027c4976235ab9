#pragma once
// The flush the spool's durability rests on, one implementation per OS (CMake picks it):
// durable_sync_fsync.cpp here (fdatasync/fsync: on Linux they reach stable storage), and
// platform/macos/durable_sync_fullfsync.cpp (F_FULLFSYNC: on macOS fsync only reaches the
// drive's cache, fsync(2)).

namespace tally::platform {

enum class SyncScope {
    data,        //!< the file's data (and the metadata needed to read it back)
    everything,  //!< data and all metadata; also for directories (a rename's entry)
};

//! Flushes `fd` to stable storage; 0 or an errno.
int durable_sync(int fd, SyncScope scope);

//! The call durable_sync makes, for error messages ("fdatasync", "F_FULLFSYNC").
const char* durable_sync_name(SyncScope scope);

}  // namespace tally::platform
