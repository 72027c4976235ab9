// HttpResponseParser: framing (length, chunked, until close), 1xx, caps, reuse, garbage.

#include <catch2/catch.hpp>
#include <string>

#include "platform/linux/http_response_parser.h"

using tally::platform::HttpResponseParser;
using State = HttpResponseParser::State;

namespace {

//! Feeds `text` one byte at a time: framing must not depend on how reads split.
State feed_bytewise(HttpResponseParser& p, const std::string& text) {
    State s = State::need_more;
    for (char c : text)
        s = p.feed(std::string_view(&c, 1));
    return s;
}

}  // namespace

TEST_CASE("response parser: Content-Length body, headers lower-cased, reusable") {
    HttpResponseParser p(1024, false);
    CHECK(
        feed_bytewise(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Tally-Ack:  7 \r\n\r\nhello") ==
        State::done);
    CHECK(p.reusable());
    auto r = p.take();
    CHECK(r.status == 200);
    CHECK(r.body == "hello");
    CHECK(r.header("x-tally-ack") == std::optional<std::string>("7"));
}

TEST_CASE("response parser: chunked with extensions and trailers") {
    HttpResponseParser p(1024, false);
    CHECK(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n") ==
          State::need_more);
    CHECK(p.feed("A\r\n0123456789\r\n0\r\nTrailer: 1\r\n\r\n") == State::done);
    CHECK(p.take().body == "abc0123456789");
}

TEST_CASE("response parser: 100 Continue skipped, 204 and HEAD have no body") {
    HttpResponseParser p(1024, false);
    CHECK(p.feed(
              "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok") ==
          State::done);
    CHECK(p.take().status == 201);
    HttpResponseParser q(1024, false);
    CHECK(q.feed("HTTP/1.1 204 No Content\r\n\r\n") == State::done);
    HttpResponseParser h(1024, true);
    CHECK(h.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n") == State::done);
}

TEST_CASE("response parser: body until close, Connection: close, HTTP/1.0") {
    HttpResponseParser p(1024, false);
    CHECK(p.feed("HTTP/1.1 200 OK\r\n\r\npart") == State::need_more);
    CHECK(p.feed("ial") == State::need_more);
    CHECK(p.finish_at_eof() == State::done);
    CHECK_FALSE(p.reusable());
    CHECK(p.take().body == "partial");
    HttpResponseParser c(1024, false);
    CHECK(c.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n") ==
          State::done);
    CHECK_FALSE(c.reusable());
    HttpResponseParser old(1024, false);
    CHECK(old.feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n") == State::done);
    CHECK_FALSE(old.reusable());
    HttpResponseParser extra(1024, false);
    CHECK(extra.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy") == State::done);
    CHECK_FALSE(extra.reusable());
}

TEST_CASE("response parser: the cap, by Content-Length, chunks and streamed bodies") {
    HttpResponseParser a(10, false);
    CHECK(a.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n") == State::too_large);
    HttpResponseParser b(10, false);
    CHECK(b.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n") ==
          State::need_more);
    CHECK(b.feed("8\r\n") == State::too_large);
    HttpResponseParser c(10, false);
    CHECK(c.feed("HTTP/1.1 200 OK\r\n\r\n0123456789") == State::need_more);
    CHECK(c.feed("x") == State::too_large);
    CHECK(c.problem().find("10 bytes") != std::string::npos);
}

TEST_CASE("response parser: garbage and truncation are errors") {
    for (const char* bad :
         {"garbage\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
        INFO(bad);
        HttpResponseParser p(1024, false);
        CHECK(p.feed(bad) == State::bad);
        CHECK_FALSE(p.problem().empty());
    }
    HttpResponseParser cut(1024, false);
    CHECK(cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") == State::need_more);
    CHECK(cut.finish_at_eof() == State::bad);
    HttpResponseParser none(1024, false);
    CHECK(none.finish_at_eof() == State::bad);
    HttpResponseParser huge(1 << 20, false);
    CHECK(huge.feed("HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a')) == State::bad);
}
