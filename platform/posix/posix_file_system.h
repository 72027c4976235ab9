#pragma once
// agent::FileSystem on POSIX: O_APPEND files flushed with durable_sync (fdatasync; macOS:
// F_FULLFSYNC), atomic replacement
// (temporary sibling, fsync, rename, fsync of the directory), 0600 files and 0700 directories.

#include "agent/interfaces/file_system.h"

namespace tally::platform {

class PosixFileSystem : public agent::FileSystem {
  public:
    Result<std::unique_ptr<agent::AppendFile>> open_append(const std::filesystem::path& p) override;
    Result<void> write_atomic(const std::filesystem::path& p, std::string_view data,
                              bool owner_only) override;
    //! write_atomic without the fsync of the file and of the directory.
    Result<void> replace_unflushed(const std::filesystem::path& p, std::string_view data,
                                   bool owner_only) override;
    Result<void> truncate(const std::filesystem::path& p, std::uint64_t size) override;
    Result<void> sync_directory(const std::filesystem::path& dir) override;
    Result<void> create_private_directory(const std::filesystem::path& dir) override;
    Result<void> check_owner_only(const std::filesystem::path& p) const override;
    //! Opened with open_no_follow (no symbolic link in any component); a regular file only.
    Result<std::optional<std::string>> read_file(const std::filesystem::path& p,
                                                 std::size_t max_bytes) const override;

  private:
    Result<void> replace(const std::filesystem::path& p, std::string_view data, bool owner_only,
                         bool flush);
};

}  // namespace tally::platform
