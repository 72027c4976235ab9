// CurlTransport (inside tally-agent-helper) against a real local TLS server: verification
// with and without the CA, the SPKI pin, the body cap, the low-speed limit, refused
// connections, non-https URLs, TLS sessions kept in a 0600 file and resumed only for the
// same host, pin and trust, proxies that refuse, and the proxy credentials file.

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "platform/posix/helper/curl_transport.h"
#include "platform/posix/helper/proxy_credentials.h"
#include "platform/posix/helper/tls_hooks.h"
#include "temp_dir.h"
#include "tls_test_server.h"

using tally::agent::HttpRequest;
using tally::agent::TransportError;
using tally::agent::TransportOptions;
using tally::platform::CurlTransport;
using tally::test::TempDir;
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

//! A loopback port with a bound socket that does not listen: connections are refused.
struct RefusingPort {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int port = 0;
    RefusingPort() {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port = ntohs(addr.sin_port);
    }
    ~RefusingPort() { ::close(fd); }
};

}  // namespace

TEST_CASE("curl transport: verified TLS with the CA file, headers, body, server SPKI") {
    TlsTestServer server;
    CurlTransport t;
    t.configure(server.trusted());
    auto r = t.send(post(server.url("/echo"), "hello"));
    INFO(r.message);
    REQUIRE(r.error == TransportError::none);
    CHECK(r.response.status == 200);
    CHECK(r.response.body == "hello");
    CHECK(r.response.header("x-got-test") == std::optional<std::string>("42"));
    CHECK(r.response.header("x-reply").has_value());
    CHECK(r.server_spki_sha256 == server.spki_sha256());
}

TEST_CASE("curl transport: host names get SNI and name verification, IP addresses no SNI") {
    // Replaces the hollow SNI test of the old transport (it ended in SUCCEED when localhost
    // did not resolve): the server records each ClientHello's SNI and the test checks it.
    TlsTestServer server;
    CurlTransport t;
    t.configure(server.trusted());
    auto ip = t.send(post(server.url("/echo"), "ip"));
    INFO(ip.message);
    REQUIRE(ip.error == TransportError::none);
    CHECK(server.last_sni().empty());  // RFC 6066: an IP address is never sent as SNI
    auto named = t.send(post("https://localhost:" + std::to_string(server.port()) + "/echo", "n"));
    INFO(named.message);
    REQUIRE(named.error == TransportError::none);  // localhost is 127.0.0.1 on Debian
    CHECK(named.response.body == "n");
    CHECK(server.last_sni() == "localhost");
}

TEST_CASE("curl transport: an unknown CA is refused as tls") {
    TlsTestServer server;
    CurlTransport t;
    TransportOptions o = server.trusted();
    o.ca_file.clear();  // the system store does not know the test CA
    t.configure(o);
    CHECK(t.send(post(server.url("/echo"), "x")).error == TransportError::tls);
}

TEST_CASE("curl transport: the SPKI pin (CURLOPT_PINNEDPUBLICKEY) accepts and refuses") {
    TlsTestServer server;
    CurlTransport t;
    TransportOptions o = server.trusted();
    o.pinned_spki_sha256 = server.spki_sha256();
    t.configure(o);
    CHECK(t.send(post(server.url("/echo"), "x")).error == TransportError::none);
    o.pinned_spki_sha256 = std::string(64, 'b');
    t.configure(o);
    CHECK(t.send(post(server.url("/echo"), "x")).error == TransportError::tls);
    o.pinned_spki_sha256 = "not hex";
    t.configure(o);
    CHECK(t.send(post(server.url("/echo"), "x")).error == TransportError::tls);
    CHECK(tally::platform::curl_pin(std::string(64, '0')) ==
          "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

TEST_CASE("curl transport: responses over the cap are refused, with or without a length") {
    TlsTestServer server;
    CurlTransport t;
    TransportOptions o = server.trusted();
    o.max_response_bytes = 1u << 20;
    t.configure(o);
    CHECK(t.send(get(server.url("/big"))).error == TransportError::response_too_large);
    CHECK(t.send(get(server.url("/big-chunked"))).error == TransportError::response_too_large);
    o.max_response_bytes = 4u << 20;
    t.configure(o);
    auto fits = t.send(get(server.url("/big-chunked")));
    REQUIRE(fits.error == TransportError::none);
    CHECK(fits.response.body.size() == (2u << 20));
}

TEST_CASE("curl transport: a stalled server trips the low-speed limit") {
    TlsTestServer server;
    CurlTransport t;
    TransportOptions o = server.trusted();
    o.stall_timeout = std::chrono::seconds(1);
    t.configure(o);
    CHECK(t.send(get(server.url("/stall"))).error == TransportError::timeout);
}

TEST_CASE("curl transport: refused connections and non-https URLs") {
    RefusingPort closed;
    CurlTransport t;
    TransportOptions o;
    o.connect_timeout = std::chrono::seconds(3);
    t.configure(o);
    const std::string port = std::to_string(closed.port);
    CHECK(t.send(get("https://127.0.0.1:" + port + "/")).error == TransportError::connect);
    CHECK(t.send(get("http://127.0.0.1:" + port + "/")).error == TransportError::bad_url);
    CHECK(t.send(get("https://")).error == TransportError::bad_url);
}

TEST_CASE("curl transport: the session file is 0600, resumed only for the same trust") {
    if (!tally::platform::tls_sessions_across_runs()) {
        // The certinfo hooks (macOS's system libcurl) keep no session: none is written.
        TlsTestServer server;
        TempDir dir;
        CurlTransport first(dir / "tls-session");
        first.configure(server.trusted());
        REQUIRE(first.send(post(server.url("/close"), "1")).error == TransportError::none);
        CurlTransport second(dir / "tls-session");
        second.configure(server.trusted());
        REQUIRE(second.send(post(server.url("/close"), "2")).error == TransportError::none);
        CHECK_FALSE(second.resumed());
        CHECK_FALSE(std::filesystem::exists(dir / "tls-session"));
        return;
    }
    TlsTestServer server;
    TempDir dir;
    const auto file = dir / "tls-session";
    TransportOptions o = server.trusted();
    {
        CurlTransport first(file);
        first.configure(o);
        REQUIRE(first.send(post(server.url("/close"), "1")).error == TransportError::none);
        CHECK_FALSE(first.resumed());
    }
    REQUIRE(tally::test::file_mode(file) == 0600);
    CurlTransport second(file);  // as in the next helper run
    second.configure(o);
    REQUIRE(second.send(post(server.url("/close"), "2")).error == TransportError::none);
    CHECK(second.resumed());

    o.pinned_spki_sha256 = server.spki_sha256();  // another pin: a full handshake
    CurlTransport pinned(file);
    pinned.configure(o);
    REQUIRE(pinned.send(post(server.url("/close"), "3")).error == TransportError::none);
    CHECK_FALSE(pinned.resumed());

    ::chmod(file.c_str(), 0644);  // a session file others can read is not used
    CurlTransport loose(file);
    loose.configure(o);
    REQUIRE(loose.send(post(server.url("/close"), "4")).error == TransportError::none);
    CHECK_FALSE(loose.resumed());
    CHECK(tally::test::file_mode(file) == 0600);  // and is replaced by a private one
}

TEST_CASE("curl transport: a proxy that refuses is a connect error naming no password") {
    RefusingPort proxy;
    CurlTransport t;
    TransportOptions o;
    o.connect_timeout = std::chrono::seconds(3);
    o.proxy = "http://user:secret-pw@127.0.0.1:" + std::to_string(proxy.port);
    t.configure(o);
    auto r = t.send(post("https://127.0.0.1:1/echo", "x"));
    CHECK(r.error == TransportError::connect);
    CHECK(r.message.find("secret-pw") == std::string::npos);
    o.proxy = "socks5h://127.0.0.1:" + std::to_string(proxy.port);
    t.configure(o);
    CHECK(t.send(post("https://127.0.0.1:1/echo", "x")).error == TransportError::connect);
}

TEST_CASE("proxy credentials file: 0600, ours, one user:password line") {
    TempDir dir;
    const auto file = dir / "proxy.cred";
    auto write = [&](const std::string& text, mode_t mode) {
        std::ofstream(file) << text;
        ::chmod(file.c_str(), mode);
    };
    write("alice:s3cret\n", 0600);
    auto ok = tally::platform::read_proxy_credentials(file);
    REQUIRE(ok.ok());
    CHECK(*ok == "alice:s3cret");
    write("alice:s3cret\n", 0640);
    auto loose = tally::platform::read_proxy_credentials(file);
    REQUIRE_FALSE(loose.ok());
    CHECK(loose.error().message.find("0600") != std::string::npos);
    CHECK(loose.error().message.find("s3cret") == std::string::npos);
    write("no colon here", 0600);
    CHECK_FALSE(tally::platform::read_proxy_credentials(file).ok());
    std::filesystem::remove(file);
    std::filesystem::create_symlink(dir / "elsewhere", file);
    CHECK_FALSE(tally::platform::read_proxy_credentials(file).ok());
}
