#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed with its contents at scope end.

#include <filesystem>

namespace tally::test {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }

  private:
    std::filesystem::path path_;
};

//! File mode bits (e.g. 0600) of `p`.
unsigned file_mode(const std::filesystem::path& p);

}  // namespace tally::test
