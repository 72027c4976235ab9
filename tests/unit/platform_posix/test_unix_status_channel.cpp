// UnixStatusChannel: a real socket served on an io_context thread, queried from the test.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <thread>

#include "platform/posix/unix_status_channel.h"
#include "temp_dir.h"

using tally::platform::UnixStatusChannel;
using tally::test::file_mode;
using tally::test::TempDir;

TEST_CASE("status channel round trip, 0600 socket, second server refused, gone after close") {
    TempDir dir;
    asio::io_context io;
    UnixStatusChannel server(dir.path());
    int calls = 0;
    const std::string big(300000, 'x');  // larger than one socket buffer
    REQUIRE(server
                .serve(io,
                       [&] {
                           return "{\"n\":" + std::to_string(++calls) + ",\"pad\":\"" + big + "\"}";
                       })
                .ok());
    CHECK(file_mode(dir / "status.sock") == 0600);
    std::thread runner([&] { io.run(); });

    UnixStatusChannel client(dir.path());
    auto first = client.query();
    REQUIRE(first.has_value());
    CHECK(first->starts_with("{\"n\":1,"));
    CHECK(first->size() == big.size() + 16);
    auto second = client.query();
    REQUIRE(second.has_value());
    CHECK(second->starts_with("{\"n\":2,"));

    asio::io_context other_io;
    UnixStatusChannel rival(dir.path());
    auto refused = rival.serve(other_io, [] { return std::string("{}"); });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "already_running");

    asio::post(io, [&] { server.close(); });
    runner.join();  // run() returns once the acceptor is closed: nothing else is pending
    CHECK_FALSE(std::filesystem::exists(dir / "status.sock"));
    CHECK_FALSE(client.query().has_value());
}

TEST_CASE("a stale socket file is replaced; query with nobody listening returns quickly") {
    TempDir dir;
    const auto path = dir / "status.sock";
    {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        REQUIRE(fd >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        ::close(fd);  // the file stays, nobody answers: what a crashed agent leaves
    }
    REQUIRE(std::filesystem::exists(path));
    UnixStatusChannel client(dir.path());
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(client.query().has_value());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));

    asio::io_context io;
    UnixStatusChannel server(dir.path());
    REQUIRE(server.serve(io, [] { return std::string("{\"ok\":true}"); }).ok());
    std::thread runner([&] { io.run(); });
    CHECK(client.query() == std::optional<std::string>("{\"ok\":true}"));
    asio::post(io, [&] { server.close(); });
    runner.join();
}

TEST_CASE("query gives up after its timeout when the agent does not answer") {
    TempDir dir;
    asio::io_context io;  // serving, but never run: the connection is accepted by nobody
    UnixStatusChannel server(dir.path());
    REQUIRE(server.serve(io, [] { return std::string("{}"); }).ok());
    UnixStatusChannel client(dir.path(), std::chrono::milliseconds(300));
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(client.query().has_value());
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= std::chrono::milliseconds(250));
    CHECK(took < std::chrono::seconds(2));
    server.close();
}

TEST_CASE("a state dir too long for a Unix socket path is an error, not an exception") {
    TempDir dir;
    const auto deep = dir / std::string(120, 'd');
    asio::io_context io;
    UnixStatusChannel channel(deep);
    auto r = channel.serve(io, [] { return std::string("{}"); });
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("too long"));
    CHECK_FALSE(channel.query().has_value());
}
