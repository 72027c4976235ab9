#pragma once
// agent::FileSystem on Win32: write-through appends + FlushFileBuffers, atomic replacement
// with MoveFileExW(REPLACE_EXISTING | WRITE_THROUGH), private directories and files with a
// protected DACL of SYSTEM and Administrators only, reparse points (junctions, symlinks)
// refused wherever the agent opens or creates state.

#include "agent/interfaces/file_system.h"

namespace tally::platform {

//! The SDDL of every private directory and owner_only file: protected, SYSTEM + Administrators.
inline constexpr wchar_t kPrivateSddl[] = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

class WindowsFileSystem : public agent::FileSystem {
  public:
    Result<std::unique_ptr<agent::AppendFile>> open_append(const std::filesystem::path& p) override;
    Result<void> write_atomic(const std::filesystem::path& p, std::string_view data,
                              bool owner_only) override;
    Result<void> replace_unflushed(const std::filesystem::path& p, std::string_view data,
                                   bool owner_only) override;
    Result<void> truncate(const std::filesystem::path& p, std::uint64_t size) override;
    //! NTFS has no directory fsync: MoveFileExW(MOVEFILE_WRITE_THROUGH) already waited for
    //! the rename to reach the disk, so this only checks that `dir` exists.
    Result<void> sync_directory(const std::filesystem::path& dir) override;
    Result<void> create_private_directory(const std::filesystem::path& dir) override;
    Result<void> check_owner_only(const std::filesystem::path& p) const override;

  private:
    Result<void> replace(const std::filesystem::path& p, std::string_view data, bool owner_only,
                         bool flush);
};

//! Error naming `p` when it (or, for a directory, the path itself) is a reparse point.
Result<void> refuse_reparse_point(const std::filesystem::path& p);

}  // namespace tally::platform
