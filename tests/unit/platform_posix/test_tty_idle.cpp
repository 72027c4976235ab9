// tty idle from a real pty's atime, including an atime in the future (clock stepped back),
// which must reach the core as such and never as "input just now".

#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <ctime>
#include <string>

#include "agent/activity/verdict.h"
#include "platform/posix/tty_idle.h"

using namespace tally::platform;

namespace {

struct Pty {
    int master = -1, slave = -1;
    std::string name;  // "pts/N"
    Pty() {
        char path[64] = {};
        REQUIRE(::openpty(&master, &slave, path, nullptr, nullptr) == 0);
        name = std::string(path).substr(5);
    }
    ~Pty() {
        ::close(master);
        ::close(slave);
    }
    void set_atime(std::time_t t) {
        struct timespec times[2] = {{t, 0}, {0, UTIME_OMIT}};
        REQUIRE(::utimensat(AT_FDCWD, ("/dev/" + name).c_str(), times, 0) == 0);
    }
};

}  // namespace

TEST_CASE("tty idle: now minus the pty's atime, as w computes it") {
    Pty pty;
    pty.set_atime(std::time(nullptr) - 120);
    auto idle = tty_idle_seconds("/dev", pty.name);
    REQUIRE(idle);
    CHECK(*idle >= 120);
    CHECK(*idle <= 122);
    CHECK_FALSE(tty_idle_seconds("/dev", "pts/../null"));
    CHECK_FALSE(tty_idle_seconds("/dev", "pts/999999"));
}

TEST_CASE("tty idle: an atime in the future is reported as such and judged idle") {
    Pty pty;
    pty.set_atime(std::time(nullptr) + 3600);  // the clock was stepped back an hour
    auto idle = tty_idle_seconds("/dev", pty.name);
    REQUIRE(idle);
    CHECK(*idle <= -3598);
    tally::agent::SessionSample s;
    s.user = s.principal = "alice";
    s.kind = tally::agent::SessionKind::ssh;
    s.idle_s = idle;
    s.idle_source = "tty-atime";
    auto v = tally::agent::classify(s, 300);
    CHECK(v.kind == tally::agent::VerdictKind::idle);
    CHECK_THAT(v.reason, Catch::Contains("future"));
}
