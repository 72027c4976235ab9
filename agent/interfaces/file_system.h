#pragma once
// The few file operations the portable core cannot do with std::filesystem/fstream:
// durable appends (fdatasync / FlushFileBuffers), atomic replacement, owner-only permissions,
// and reading agent.json / identity.json without following links. Everything else (listing,
// renaming, spool reads) the core does with the standard library.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::agent {

//! The whole file with the standard library (links followed), nullopt when it does not exist;
//! an error when larger than `max_bytes`. FileSystem::read_file's default.
Result<std::optional<std::string>> read_file_following_links(const std::filesystem::path& p,
                                                             std::size_t max_bytes);

//! An open file that only grows. Not thread-safe.
class AppendFile {
  public:
    virtual ~AppendFile() = default;
    virtual Result<void> append(std::span<const std::uint8_t> data) = 0;
    //! Data appended so far is on stable storage when this returns ok (fdatasync).
    virtual Result<void> sync() = 0;
    virtual std::uint64_t size() const = 0;
};

class FileSystem {
  public:
    virtual ~FileSystem() = default;
    //! Opens (creating if needed) for appending at the end.
    virtual Result<std::unique_ptr<AppendFile>> open_append(const std::filesystem::path& p) = 0;
    //! Write to a temporary sibling, flush it, rename over `p`, flush the directory.
    //! `owner_only`: the file is readable by its owner only (0600 / protected ACL).
    virtual Result<void> write_atomic(const std::filesystem::path& p, std::string_view data,
                                      bool owner_only) = 0;
    //! Like write_atomic (readers see the old or the new file, never a mix) but without
    //! flushing to disk: for snapshots rewritten often that the next write replaces anyway
    //! (status.json). Each flush waits for the disk, i.e. wakes the agent once more.
    virtual Result<void> replace_unflushed(const std::filesystem::path& p, std::string_view data,
                                           bool owner_only) {
        return write_atomic(p, data, owner_only);
    }
    //! Cuts a file to `size` bytes and flushes (used to cut a torn spool tail).
    virtual Result<void> truncate(const std::filesystem::path& p, std::uint64_t size) = 0;
    virtual Result<void> sync_directory(const std::filesystem::path& dir) = 0;
    //! Creates the directory (and parents) accessible to the owner only.
    virtual Result<void> create_private_directory(const std::filesystem::path& dir) = 0;
    //! Error naming the problem when others may read or write `p` (or it is not ours).
    virtual Result<void> check_owner_only(const std::filesystem::path& p) const = 0;
    //! The whole file, nullopt when it does not exist; an error when it is larger than
    //! `max_bytes`. POSIX: no symbolic link is followed in any component of `p` (a link is an
    //! error naming it). This default (std::ifstream) is what Windows uses.
    virtual Result<std::optional<std::string>> read_file(const std::filesystem::path& p,
                                                         std::size_t max_bytes) const;
};

}  // namespace tally::agent
