// platform/windows/windows_file_system: durable appends, atomic replacement, truncation,
// private directories, reparse points refused.

#include <catch2/catch.hpp>

#include <windows.h>

#include <fstream>
#include <sstream>

#include "pairing/bytes.h"
#include "platform/windows/windows_file_system.h"

using namespace tally;
using namespace tally::platform;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
    auto d = fs::temp_directory_path() /
             ("tally-fs-test-" + std::to_string(GetCurrentProcessId()) + "-" +
              std::to_string(GetTickCount64()));
    fs::create_directories(d);
    return d;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("appends land at the end, sync flushes, size counts") {
    auto dir = temp_dir();
    WindowsFileSystem files;
    {
        auto f = files.open_append(dir / "spool.log");
        REQUIRE(f);
        REQUIRE((*f)->append(pairing::as_bytes(std::string_view("one\n"))));
        REQUIRE((*f)->sync());
        CHECK((*f)->size() == 4);
    }
    auto again = files.open_append(dir / "spool.log");
    REQUIRE(again);
    CHECK((*again)->size() == 4);
    REQUIRE((*again)->append(pairing::as_bytes(std::string_view("two\n"))));
    again->reset();
    CHECK(slurp(dir / "spool.log") == "one\ntwo\n");
    REQUIRE(files.truncate(dir / "spool.log", 4));
    CHECK(slurp(dir / "spool.log") == "one\n");
    fs::remove_all(dir);
}

TEST_CASE("atomic replacement leaves the old or the new file, and no temporary") {
    auto dir = temp_dir();
    WindowsFileSystem files;
    REQUIRE(files.write_atomic(dir / "state.json", "old", true));
    REQUIRE(files.write_atomic(dir / "state.json", "new", true));
    REQUIRE(files.replace_unflushed(dir / "status.json", "s", false));
    CHECK(slurp(dir / "state.json") == "new");
    CHECK(slurp(dir / "status.json") == "s");
    int entries = 0;
    for (auto& e : fs::directory_iterator(dir)) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 2);
    CHECK(files.sync_directory(dir));
    CHECK_FALSE(files.sync_directory(dir / "missing"));
    fs::remove_all(dir);
}

TEST_CASE("private directories are created with parents and are directories") {
    auto dir = temp_dir();
    WindowsFileSystem files;
    REQUIRE(files.create_private_directory(dir / "a" / "state"));
    CHECK(fs::is_directory(dir / "a" / "state"));
    REQUIRE(files.create_private_directory(dir / "a" / "state"));  // idempotent
    fs::remove_all(dir);
}

TEST_CASE("a symbolic link is refused where state is written") {
    auto dir = temp_dir();
    WindowsFileSystem files;
    REQUIRE(files.write_atomic(dir / "target", "x", false));
    const auto link = dir / "link";
    const bool made = CreateSymbolicLinkW(link.c_str(), (dir / "target").c_str(), 0);
    const DWORD attrs = GetFileAttributesW(link.c_str());
    if (!made || attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
        // Needs SeCreateSymbolicLinkPrivilege on Windows; wine 8 makes a Unix symlink that
        // it does not report as a reparse point. Runs on the Windows CI runner.
        WARN("no reparse point could be made here; reparse refusal untested in this run");
        fs::remove_all(dir);
        return;
    }
    auto r = files.open_append(link);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("reparse point") != std::string::npos);
    CHECK_FALSE(files.write_atomic(link, "y", false));
    fs::remove_all(dir);
}
