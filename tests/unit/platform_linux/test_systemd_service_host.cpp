// SystemdServiceHost against a real notify socket (what systemd listens on), and silence
// without NOTIFY_SOCKET.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

#include "platform/linux/systemd_service_host.h"
#include "platform/posix/unique_fd.h"
#include "temp_dir.h"

using tally::platform::SystemdServiceHost;
using tally::platform::UniqueFd;

namespace {

//! Next datagram, or "" when none arrives within 200 ms.
std::string receive(int fd) {
    timeval tv{0, 200000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("service host sends READY, WATCHDOG, STATUS and STOPPING to NOTIFY_SOCKET") {
    tally::test::TempDir dir;
    const auto path = dir / "notify";
    UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(sock.valid());
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

    SystemdServiceHost host;
    ::unsetenv("NOTIFY_SOCKET");
    host.ready();  // not under systemd: nothing is sent anywhere
    CHECK(receive(sock.get()).empty());

    REQUIRE(::setenv("NOTIFY_SOCKET", path.c_str(), 1) == 0);
    host.ready();
    CHECK(receive(sock.get()) == "READY=1");
    host.watchdog();
    CHECK(receive(sock.get()) == "WATCHDOG=1");
    host.status_text("uploading\nbatch 3");
    CHECK(receive(sock.get()) == "STATUS=uploading batch 3");
    host.stopping();
    CHECK(receive(sock.get()) == "STOPPING=1");
    ::unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("service host reports the watchdog period systemd asked this process for") {
    SystemdServiceHost host;
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    CHECK(host.watchdog_period().count() == 0);
    REQUIRE(::setenv("WATCHDOG_USEC", "4000000", 1) == 0);
    CHECK(host.watchdog_period() == std::chrono::seconds(4));
    REQUIRE(::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1) == 0);
    CHECK(host.watchdog_period() == std::chrono::seconds(4));
    REQUIRE(::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1) == 0);
    CHECK(host.watchdog_period().count() == 0);  // meant for another process
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    CHECK(host.process_id() == static_cast<std::uint64_t>(::getpid()));
}
