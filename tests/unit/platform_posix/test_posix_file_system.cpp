// PosixFileSystem against real files: appends, atomic replace, truncate, 0700 directories,
// owner-only checks, and ENOSPC reported as disk_full (/dev/full).

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "pairing/bytes.h"
#include "platform/posix/posix_file_system.h"
#include "temp_dir.h"

using tally::platform::PosixFileSystem;
using tally::test::file_mode;
using tally::test::TempDir;

namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("open_append appends at the end, creates 0600, keeps size across reopen") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "seg-1";
    {
        auto f = fs.open_append(p);
        REQUIRE(f.ok());
        REQUIRE((*f)->append(tally::pairing::as_bytes("abc")).ok());
        REQUIRE((*f)->sync().ok());
        CHECK((*f)->size() == 3);
    }
    CHECK(file_mode(p) == 0600);
    auto f = fs.open_append(p);
    REQUIRE(f.ok());
    CHECK((*f)->size() == 3);
    REQUIRE((*f)->append(tally::pairing::as_bytes("de")).ok());
    REQUIRE((*f)->sync().ok());
    CHECK((*f)->size() == 5);
    CHECK(slurp(p) == "abcde");
}

TEST_CASE("open_append of a missing directory names the path and errno text") {
    TempDir dir;
    PosixFileSystem fs;
    auto f = fs.open_append(dir / "nope" / "seg");
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().code == "io");
    CHECK_THAT(f.error().message,
               Catch::Contains("nope/seg") && Catch::Contains("No such file or directory"));
}

TEST_CASE("a full disk is reported as disk_full") {
    PosixFileSystem fs;
    auto f = fs.open_append("/dev/full");
    REQUIRE(f.ok());
    auto r = (*f)->append(tally::pairing::as_bytes("x"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "disk_full");
    CHECK_THAT(r.error().message, Catch::Contains("/dev/full"));
}

TEST_CASE("write_atomic replaces the whole file and leaves no temporary behind") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "acked";
    REQUIRE(fs.write_atomic(p, "first version, long", true).ok());
    CHECK(slurp(p) == "first version, long");
    CHECK(file_mode(p) == 0600);
    REQUIRE(fs.write_atomic(p, "2", false).ok());
    CHECK(slurp(p) == "2");
    CHECK(file_mode(p) == 0644);
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);
}

TEST_CASE("replace_unflushed replaces atomically too, with the same modes and no leftovers") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "status.json";
    REQUIRE(fs.replace_unflushed(p, "{\"a\":1}", false).ok());
    CHECK(slurp(p) == "{\"a\":1}");
    CHECK(file_mode(p) == 0644);
    REQUIRE(fs.replace_unflushed(p, "x", true).ok());
    CHECK(slurp(p) == "x");
    CHECK(file_mode(p) == 0600);
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);
    CHECK_FALSE(fs.replace_unflushed(dir / "missing" / "f", "x", false).ok());
}

TEST_CASE("write_atomic into a missing directory fails and names it") {
    TempDir dir;
    PosixFileSystem fs;
    auto r = fs.write_atomic(dir / "missing" / "f", "x", true);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("missing/f"));
}

TEST_CASE("truncate cuts a file to the given size") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "seg";
    REQUIRE(fs.write_atomic(p, "0123456789", true).ok());
    REQUIRE(fs.truncate(p, 4).ok());
    CHECK(slurp(p) == "0123");
    CHECK_FALSE(fs.truncate(dir / "absent", 0).ok());
}

TEST_CASE("create_private_directory makes nested 0700 directories and tightens an existing one") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "a" / "b" / "state";
    REQUIRE(fs.create_private_directory(p).ok());
    CHECK(std::filesystem::is_directory(p));
    CHECK(file_mode(p) == 0700);
    CHECK(file_mode(dir / "a") == 0700);
    REQUIRE(fs.create_private_directory(p).ok());  // existing is fine
    REQUIRE(::chmod(p.c_str(), 0755) == 0);
    REQUIRE(fs.create_private_directory(p).ok());
    CHECK(file_mode(p) == 0700);
    REQUIRE(fs.sync_directory(p).ok());
    CHECK_FALSE(fs.sync_directory(dir / "absent").ok());
}

TEST_CASE("create_private_directory refuses a state dir others may write or that is not ours") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "state";
    REQUIRE(fs.create_private_directory(p).ok());
    for (mode_t mode : {0770, 0707, 0777}) {
        REQUIRE(::chmod(p.c_str(), mode) == 0);
        auto r = fs.create_private_directory(p);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "insecure_permissions");
        CHECK_THAT(r.error().message, Catch::Contains("writable by group or others"));
    }
    REQUIRE(::chmod(p.c_str(), 0700) == 0);
    if (::geteuid() == 0) {
        REQUIRE(::chown(p.c_str(), 12345, 12345) == 0);
        auto foreign = fs.create_private_directory(p);
        REQUIRE_FALSE(foreign.ok());
        CHECK_THAT(foreign.error().message, Catch::Contains("owned by uid 12345"));
    }
}

TEST_CASE("state files are opened without following symlinks") {
    TempDir dir;
    PosixFileSystem fs;
    const auto target = dir / "elsewhere";
    REQUIRE(fs.write_atomic(target, "keep", true).ok());
    std::filesystem::create_symlink(target, dir / "seg.log");
    CHECK_FALSE(fs.open_append(dir / "seg.log").ok());
    CHECK_FALSE(fs.truncate(dir / "seg.log", 0).ok());
    CHECK(std::filesystem::file_size(target) == 4);  // untouched
}

TEST_CASE("check_owner_only refuses group/other bits and foreign owners, naming the mode") {
    TempDir dir;
    PosixFileSystem fs;
    const auto p = dir / "secret";
    REQUIRE(fs.write_atomic(p, "s", true).ok());
    CHECK(fs.check_owner_only(p).ok());

    REQUIRE(::chmod(p.c_str(), 0644) == 0);
    auto r = fs.check_owner_only(p);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "insecure_permissions");
    CHECK_THAT(r.error().message, Catch::Contains("0644") && Catch::Contains("secret"));

    REQUIRE(::chmod(p.c_str(), 0600) == 0);
    if (::geteuid() == 0) {
        REQUIRE(::chown(p.c_str(), 12345, 12345) == 0);
        auto foreign = fs.check_owner_only(p);
        REQUIRE_FALSE(foreign.ok());
        CHECK_THAT(foreign.error().message, Catch::Contains("owned by uid 12345"));
    }
    CHECK_FALSE(fs.check_owner_only(dir / "absent").ok());
}

TEST_CASE("read_file: agent.json and identity.json are never read through a symbolic link") {
    TempDir dir;
    PosixFileSystem fs;
    std::filesystem::create_directories(dir / "real/state");
    std::ofstream(dir / "real/state/identity.json") << "{\"device_id\":\"d\"}";
    std::ofstream(dir / "elsewhere.json") << "{\"device_id\":\"planted\"}";

    auto plain = fs.read_file(dir / "real/state/identity.json", 1024);
    REQUIRE(plain.ok());
    REQUIRE(plain->has_value());
    CHECK(**plain == "{\"device_id\":\"d\"}");
    auto missing = fs.read_file(dir / "real/state/none.json", 1024);
    REQUIRE(missing.ok());
    CHECK_FALSE(missing->has_value());
    CHECK(fs.read_file(dir / "real/state/identity.json", 4).error().message.find("larger") !=
          std::string::npos);

    SECTION("the file itself is a link") {
        std::filesystem::create_symlink(dir / "elsewhere.json", dir / "real/state/linked.json");
        auto r = fs.read_file(dir / "real/state/linked.json", 1024);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "symlink");
        CHECK(r.error().message.find("linked.json is a symbolic link") != std::string::npos);
    }
    SECTION("a component of the state dir is a link") {
        std::filesystem::create_directory_symlink(dir / "real", dir / "via");
        auto r = fs.read_file(dir / "via/state/identity.json", 1024);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "symlink");
        CHECK(r.error().message.find((dir / "via").string() + " is a symbolic link") !=
              std::string::npos);
    }
    SECTION("the state dir itself is a link") {
        std::filesystem::create_directory_symlink(dir / "real/state", dir / "state-link");
        auto r = fs.read_file(dir / "state-link/identity.json", 1024);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "symlink");
    }
    SECTION("a directory is not a file") {
        auto r = fs.read_file(dir / "real/state", 1024);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("not a regular file") != std::string::npos);
    }
}

TEST_CASE("write_atomic never writes through a link in the state dir's path") {
    TempDir dir;
    PosixFileSystem fs;
    std::filesystem::create_directories(dir / "real/state");
    std::filesystem::create_directory_symlink(dir / "real", dir / "via");
    auto r = fs.write_atomic(dir / "via/state/identity.json", "{}", true);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "symlink");
    CHECK(r.error().message.find((dir / "via").string() + " is a symbolic link") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "real/state/identity.json"));
    // The real path works, 0600, and leaves no temporary file behind.
    REQUIRE(fs.write_atomic(dir / "real/state/identity.json", "{}", true).ok());
    CHECK(file_mode(dir / "real/state/identity.json") == 0600);
    CHECK(std::distance(std::filesystem::directory_iterator(dir / "real/state"),
                        std::filesystem::directory_iterator{}) == 1);
}
