// The utmp activity source against a utmp file the test writes, whose records point at a
// real pty (posix_openpt) and at the test's own pid; idle comes from the pty's real atime.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmpx.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <thread>

#include "agent/config.h"
#include "platform/linux/linux_activity_source.h"
#include "platform/posix/unique_fd.h"
#include "temp_dir.h"

using tally::agent::SessionKind;
using tally::platform::LinuxActivitySource;
using tally::platform::UniqueFd;
using tally::test::TempDir;

namespace {

struct Pty {
    UniqueFd master;
    UniqueFd slave;
    std::string slave_path;  // "/dev/pts/N"
};

Pty open_pty() {
    Pty p;
    p.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY));
    REQUIRE(p.master.valid());
    REQUIRE(::grantpt(p.master.get()) == 0);
    REQUIRE(::unlockpt(p.master.get()) == 0);
    p.slave_path = ::ptsname(p.master.get());
    p.slave = UniqueFd(::open(p.slave_path.c_str(), O_RDWR | O_NOCTTY));
    REQUIRE(p.slave.valid());
    return p;
}

struct utmpx record(short type, pid_t pid, const std::string& user, const std::string& line,
                    const std::string& host) {
    struct utmpx u {};
    u.ut_type = type;
    u.ut_pid = pid;
    std::strncpy(u.ut_user, user.c_str(), sizeof u.ut_user);
    std::strncpy(u.ut_line, line.c_str(), sizeof u.ut_line);
    std::strncpy(u.ut_host, host.c_str(), sizeof u.ut_host);
    std::strncpy(u.ut_id, line.size() > 4 ? line.substr(line.size() - 4).c_str() : line.c_str(),
                 sizeof u.ut_id);
    u.ut_tv.tv_sec = static_cast<std::int32_t>(::time(nullptr));
    return u;
}

void write_utmp(const std::filesystem::path& p, const std::vector<struct utmpx>& records) {
    std::ofstream out(p, std::ios::binary);
    for (const auto& r : records)
        out.write(reinterpret_cast<const char*>(&r), sizeof r);
}

pid_t dead_pid() {
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

void set_atime_back(const std::string& path, int seconds) {
    struct timespec times[2]{};
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= seconds;
    times[1].tv_nsec = UTIME_OMIT;
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

const tally::agent::SessionSample* find(const std::vector<tally::agent::SessionSample>& s,
                                        SessionKind kind) {
    for (const auto& x : s) {
        if (x.kind == kind)
            return &x;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("utmp source: live records only, kinds, accounts and tty-atime idle from a real pty") {
    TempDir dir;
    Pty pty = open_pty();
    REQUIRE(pty.slave_path.starts_with("/dev/"));
    const std::string line = pty.slave_path.substr(5);  // "pts/N"
    const pid_t me = ::getpid();

    write_utmp(dir / "utmp", {
                                 record(LOGIN_PROCESS, me, "LOGIN", "tty9", ""),
                                 record(USER_PROCESS, me, "root", line, ""),
                                 record(USER_PROCESS, me, "root", line, "192.0.2.7"),
                                 record(USER_PROCESS, dead_pid(), "root", line, "198.51.100.1"),
                                 record(DEAD_PROCESS, me, "", line, ""),
                                 record(USER_PROCESS, me, "root", ":0", ":0"),
                             });

    tally::agent::Config config;
    config.utmp_path = (dir / "utmp").string();
    config.dev_dir = "/dev";
    config.uid_min = 1000;
    LinuxActivitySource source(config);
    CHECK_FALSE(source.uses_logind());
    CHECK(source.name() == "utmp+tty-atime");

    auto sessions = source.sessions();
    CHECK(source.last_error().empty());
    REQUIRE(sessions.size() == 3);  // the dead pid, LOGIN and DEAD records are skipped
    for (const auto& s : sessions) {
        CHECK(s.source == "utmp");
        CHECK(s.user == "root");
        CHECK(s.uid == 0u);
        CHECK(s.system_account);  // uid 0 < uid_min
        CHECK(s.local_account);
        CHECK(s.remote_host != "198.51.100.1");
    }
    const auto* tty = find(sessions, SessionKind::tty);
    const auto* ssh = find(sessions, SessionKind::ssh);
    const auto* x11 = find(sessions, SessionKind::x11);
    REQUIRE(tty != nullptr);
    REQUIRE(ssh != nullptr);
    REQUIRE(x11 != nullptr);
    CHECK(tty->tty == line);
    CHECK(ssh->remote_host == "192.0.2.7");
    CHECK(tty->idle_source == "tty-atime");
    REQUIRE(tty->idle_s.has_value());
    CHECK(*tty->idle_s <= 10);  // a fresh pty
    CHECK_FALSE(x11->idle_s.has_value());
    CHECK(x11->idle_source == "none");

    // Nobody typed for ten minutes.
    set_atime_back(pty.slave_path, 600);
    sessions = source.sessions();
    tty = find(sessions, SessionKind::tty);
    REQUIRE(tty != nullptr);
    REQUIRE(tty->idle_s.has_value());
    CHECK(*tty->idle_s >= 598);
    CHECK(*tty->idle_s <= 610);

    // Typing: input written to the master is read on the slave, which updates the atime.
    REQUIRE(::write(pty.master.get(), "ls\n", 3) == 3);
    char buf[16];
    REQUIRE(::read(pty.slave.get(), buf, sizeof buf) > 0);
    sessions = source.sessions();
    tty = find(sessions, SessionKind::tty);
    REQUIRE(tty != nullptr);
    REQUIRE(tty->idle_s.has_value());
    CHECK(*tty->idle_s <= 2);
}

TEST_CASE("utmp source reports an unreadable file in last_error") {
    TempDir dir;
    tally::agent::Config config;
    config.utmp_path = (dir / "absent-utmp").string();
    LinuxActivitySource source(config);
    CHECK(source.sessions().empty());
    CHECK_THAT(source.last_error(), Catch::Contains("absent-utmp"));
}

TEST_CASE("utmp source: a tty device that is gone gives unknown idle, not zero") {
    TempDir dir;
    write_utmp(dir / "utmp", {record(USER_PROCESS, ::getpid(), "root", "pts/999999", "")});
    tally::agent::Config config;
    config.utmp_path = (dir / "utmp").string();
    LinuxActivitySource source(config);
    auto sessions = source.sessions();
    REQUIRE(sessions.size() == 1);
    CHECK_FALSE(sessions[0].idle_s.has_value());
    CHECK(sessions[0].idle_source == "none");
}
