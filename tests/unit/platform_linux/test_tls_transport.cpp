// TlsTransport against a real local TLS server: verification with and without the CA,
// pinning, the body cap, stall timeout, refused connections and non-https URLs.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>

#include "platform/linux/tls_transport.h"
#include "tls_test_server.h"

using tally::agent::HttpRequest;
using tally::agent::TransportError;
using tally::agent::TransportOptions;
using tally::platform::TlsTransport;
using tally::test::TlsTestServer;

namespace {

HttpRequest post(const std::string& url, std::string body) {
    return tally::test::post_request(url, std::move(body));
}

HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.method = "GET";
    r.url = url;
    return r;
}

TransportOptions trusted(const TlsTestServer& server) {
    return server.trusted();
}

}  // namespace

TEST_CASE("tls transport: verified TLS with the CA file, headers, body, server SPKI") {
    TlsTestServer server;
    TlsTransport t;
    t.configure(trusted(server));
    std::set<std::string> peer_ports;
    for (int i = 0; i < 3; ++i) {  // later requests reuse the connection (keep-alive)
        auto r = t.send(post(server.url("/echo"), "hello " + std::to_string(i)));
        peer_ports.insert(r.response.header("x-peer-port").value_or("?"));
        INFO(r.message);
        REQUIRE(r.error == TransportError::none);
        CHECK(r.response.status == 200);
        CHECK(r.response.body == "hello " + std::to_string(i));
        CHECK(r.response.header("x-reply") == std::optional<std::string>("yes"));
        CHECK(r.response.header("x-got-test") == std::optional<std::string>("42"));
        for (const auto& [name, value] : r.response.headers) {
            (void)value;
            CHECK(name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
        }
        CHECK(r.server_spki_sha256 == server.spki_sha256());
    }
    // One TCP connection (and so one TLS handshake) served all three requests.
    CHECK(peer_ports.size() == 1);
    auto r404 = t.send(get(server.url("/nowhere")));
    REQUIRE(r404.error == TransportError::none);
    CHECK(r404.response.status == 404);
}

TEST_CASE("tls transport: an unknown CA is refused as tls") {
    TlsTestServer server;
    TlsTransport t;
    TransportOptions o = trusted(server);
    o.ca_file.clear();  // system trust store, which does not know the test CA
    t.configure(o);
    auto r = t.send(post(server.url("/echo"), "x"));
    CHECK(r.error == TransportError::tls);
    CHECK_FALSE(r.message.empty());
}

TEST_CASE("tls transport: SPKI pin accepted when it matches, refused when it does not") {
    TlsTestServer server;
    TlsTransport t;
    TransportOptions o = trusted(server);
    o.pinned_spki_sha256 = server.spki_sha256();
    t.configure(o);
    auto ok = t.send(post(server.url("/echo"), "pinned"));
    INFO(ok.message);
    CHECK(ok.error == TransportError::none);

    o.pinned_spki_sha256 = std::string(64, 'a');
    t.configure(o);
    auto refused = t.send(post(server.url("/echo"), "pinned"));
    CHECK(refused.error == TransportError::tls);

    o.pinned_spki_sha256 = "not-hex";
    t.configure(o);
    CHECK(t.send(post(server.url("/echo"), "x")).error == TransportError::tls);
}

TEST_CASE("tls transport: responses over the cap are refused, with or without a length") {
    TlsTestServer server;
    TlsTransport t;
    TransportOptions o = trusted(server);
    o.max_response_bytes = 1u << 20;
    t.configure(o);
    auto sized = t.send(get(server.url("/big")));
    CHECK(sized.error == TransportError::response_too_large);
    auto chunked = t.send(get(server.url("/big-chunked")));
    CHECK(chunked.error == TransportError::response_too_large);

    o.max_response_bytes = 4u << 20;
    t.configure(o);
    auto fits = t.send(get(server.url("/big-chunked")));
    REQUIRE(fits.error == TransportError::none);
    CHECK(fits.response.body.size() == (2u << 20));
}

TEST_CASE("tls transport: a stalled server times out") {
    TlsTestServer server;
    TlsTransport t;
    TransportOptions o = trusted(server);
    o.stall_timeout = std::chrono::seconds(1);
    t.configure(o);
    // /stall answers after 5 s: without the 1 s stall timeout this would succeed. (No upper
    // bound on the time taken: timed assertions flake on a loaded machine.)
    auto r = t.send(get(server.url("/stall")));
    CHECK(r.error == TransportError::timeout);
}

TEST_CASE("tls transport: a server trickling its answer is cut by the low-speed limit") {
    TlsTestServer server;
    TlsTransport t;
    TransportOptions o = trusted(server);
    o.low_speed_bytes = 100;  // ~20 bytes/s arrive: never a stall, always too slow
    o.low_speed_window = std::chrono::seconds(2);
    t.configure(o);
    auto r = t.send(get(server.url("/trickle")));
    CHECK(r.error == TransportError::timeout);
    INFO(r.message);
    CHECK(r.message.find("fewer than 100 bytes in 2 s") != std::string::npos);

    o.low_speed_window = std::chrono::seconds(0);  // off: the whole trickle arrives
    t.configure(o);
    auto whole = t.send(get(server.url("/trickle")));
    REQUIRE(whole.error == TransportError::none);
    CHECK(whole.response.body == std::string(30, 't'));
}

TEST_CASE("tls transport: refused connection and non-https URLs") {
    // A bound socket that does not listen: connections to its port are refused.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const int port = ntohs(addr.sin_port);

    TlsTransport t;
    TransportOptions o;
    o.connect_timeout = std::chrono::seconds(3);
    t.configure(o);
    auto refused = t.send(get("https://127.0.0.1:" + std::to_string(port) + "/"));
    CHECK(refused.error == TransportError::connect);
    ::close(fd);

    auto plain = t.send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
    CHECK(plain.error == TransportError::bad_url);
    auto junk = t.send(get("https://"));
    CHECK(junk.error == TransportError::bad_url);
}

TEST_CASE("tls transport: a closed connection is replaced by a resumed TLS session") {
    TlsTestServer server;
    TlsTransport t;
    t.configure(trusted(server));
    std::set<std::string> peer_ports;
    for (int i = 0; i < 3; ++i) {
        auto r = t.send(post(server.url("/close"), "again " + std::to_string(i)));
        INFO(r.message);
        REQUIRE(r.error == TransportError::none);
        CHECK(r.response.body == "again " + std::to_string(i));
        CHECK(r.server_spki_sha256 == server.spki_sha256());
        peer_ports.insert(r.response.header("x-peer-port").value_or("?"));
    }
    CHECK(peer_ports.size() == 3);
    const auto s = t.stats();
    CHECK(s.handshakes == 3);
    CHECK(s.resumed == 2);  // only the first handshake carried certificates
    CHECK(s.reused == 0);
}

TEST_CASE("tls transport: a kept connection is reused, and checked before reuse") {
    TlsTestServer server;
    TlsTransport t;
    t.configure(trusted(server));
    REQUIRE(t.send(post(server.url("/echo"), "1")).error == TransportError::none);
    REQUIRE(t.send(post(server.url("/echo"), "2")).error == TransportError::none);
    CHECK(t.stats().reused == 1);
    CHECK(t.stats().handshakes == 1);
    // The server closes its end when told to; the next send notices and reconnects.
    REQUIRE(t.send(post(server.url("/close"), "3")).error == TransportError::none);
    auto r = t.send(post(server.url("/echo"), "4"));
    REQUIRE(r.error == TransportError::none);
    CHECK(r.response.body == "4");
    CHECK(t.stats().handshakes == 2);
    CHECK(t.stats().resumed == 1);
}

TEST_CASE("tls transport: a session is not resumed under another pin or trust") {
    TlsTestServer server;
    TlsTransport t;
    TransportOptions o = trusted(server);
    t.configure(o);
    REQUIRE(t.send(post(server.url("/close"), "a")).error == TransportError::none);
    o.pinned_spki_sha256 = std::string(64, 'b');
    t.configure(o);
    CHECK(t.send(post(server.url("/close"), "b")).error == TransportError::tls);
    o.pinned_spki_sha256 = server.spki_sha256();
    t.configure(o);
    REQUIRE(t.send(post(server.url("/close"), "c")).error == TransportError::none);
    o.ca_file.clear();  // system store: the test CA is unknown, a resumed session must not hide it
    t.configure(o);
    CHECK(t.send(post(server.url("/close"), "d")).error == TransportError::tls);
    CHECK(t.stats().resumed == 0);
}

TEST_CASE("tls transport: host names get SNI and name verification") {
    TlsTestServer server;
    TlsTransport t;
    t.configure(trusted(server));
    // An IP address is never sent as SNI (RFC 6066); a host name is, and is verified.
    auto ip = t.send(post(server.url("/close"), "ip"));
    REQUIRE(ip.error == TransportError::none);
    CHECK(server.last_sni().empty());
    auto r = t.send(post("https://localhost:" + std::to_string(server.port()) + "/echo", "name"));
    INFO(r.message);
    REQUIRE(r.error == TransportError::none);  // localhost is 127.0.0.1 on Debian (/etc/hosts)
    CHECK(server.last_sni() == "localhost");
}

TEST_CASE("tls transport: a proxy that refuses connections is a connect error, not a leak") {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const std::string port = std::to_string(ntohs(addr.sin_port));
    // The proxy fails first: no server is needed behind it.
    const std::string server_url = "https://127.0.0.1:1/echo";
    TlsTransport t([](const char*) -> const char* { return nullptr; });
    TransportOptions o;
    o.connect_timeout = std::chrono::seconds(3);
    o.proxy = "http://user:secret-pw@127.0.0.1:" + port;
    t.configure(o);
    auto r = t.send(post(server_url, "x"));
    CHECK(r.error == TransportError::connect);
    CHECK(r.message.find("proxy") != std::string::npos);
    CHECK(r.message.find("secret-pw") == std::string::npos);
    o.proxy = "socks5://127.0.0.1:" + port;
    t.configure(o);
    CHECK(t.send(post(server_url, "x")).error == TransportError::bad_url);
    ::close(fd);
}
