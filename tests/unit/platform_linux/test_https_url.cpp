// parse_https_url / parse_proxy_url / format_http_request: the text the transport sends.

#include <catch2/catch.hpp>

#include "platform/linux/http_request_text.h"
#include "platform/linux/https_url.h"

using tally::platform::parse_https_url;
using tally::platform::parse_proxy_url;

TEST_CASE("https url: host, port, target") {
    auto u = parse_https_url("https://tally.example.com/v1/heartbeats?x=1");
    REQUIRE(u);
    CHECK(u->host == "tally.example.com");
    CHECK(u->port == 443);
    CHECK(u->target == "/v1/heartbeats?x=1");
    CHECK(u->authority() == "tally.example.com");

    u = parse_https_url("HTTPS://127.0.0.1:8443");
    REQUIRE(u);
    CHECK(u->port == 8443);
    CHECK(u->target == "/");
    CHECK(u->authority() == "127.0.0.1:8443");

    u = parse_https_url("https://[::1]:9443/v1/pair#frag");
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->target == "/v1/pair");
    CHECK(u->authority() == "[::1]:9443");
}

TEST_CASE("https url: refused forms") {
    for (const char* bad :
         {"http://a/", "https://", "https://:443/", "https://a:0/", "https://a:99999/",
          "https://a:x/", "https://user@a/", "https://a/with space", "https://[nothex]/",
          "https://a b/", "ftp://a/", "https://a:/"}) {
        INFO(bad);
        CHECK_FALSE(parse_https_url(bad));
    }
}

TEST_CASE("proxy url: scheme optional, credentials percent-decoded") {
    auto p = parse_proxy_url("http://tally:s%40cret@proxy.lan:3128/");
    REQUIRE(p);
    CHECK(p->host == "proxy.lan");
    CHECK(p->port == 3128);
    CHECK(p->user == "tally");
    CHECK(p->password == "s@cret");
    p = parse_proxy_url("10.0.0.1:8080");
    REQUIRE(p);
    CHECK(p->host == "10.0.0.1");
    CHECK(p->user.empty());
    p = parse_proxy_url("proxy.lan");
    REQUIRE(p);
    CHECK(p->port == 1080);
    CHECK_FALSE(parse_proxy_url("https://proxy.lan:3128"));
    CHECK_FALSE(parse_proxy_url("socks5://proxy.lan:1080"));
    CHECK_FALSE(parse_proxy_url("http://proxy.lan:3128/path"));
}

TEST_CASE("request text: only Host, Content-Length and the caller's headers") {
    tally::agent::HttpRequest r;
    r.method = "POST";
    r.url = "https://s.example:8443/v1/heartbeats";
    r.body = "abc";
    r.headers = {{"X-Tally-Device", "d1"},
                 {"Content-Length", "99"},
                 {"X-Bad", "a\r\nInjected: 1"},
                 {"Content-Encoding", "gzip"}};
    auto u = parse_https_url(r.url);
    REQUIRE(u);
    CHECK(tally::platform::format_http_request(r, *u) ==
          "POST /v1/heartbeats HTTP/1.1\r\nHost: s.example:8443\r\nContent-Length: 3\r\n"
          "X-Tally-Device: d1\r\nContent-Encoding: gzip\r\n\r\nabc");
    r.method = "GET";
    r.body.clear();
    r.headers.clear();
    CHECK(tally::platform::format_http_request(r, *u) ==
          "GET /v1/heartbeats HTTP/1.1\r\nHost: s.example:8443\r\n\r\n");
}
