// Outside text made safe: control characters escaped for logs, probe and status; bytes that
// are not UTF-8 encoded one way everywhere (so uploads never carry invalid JSON text).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "agent/status/status.h"
#include "agent/text_safety.h"

using tally::agent::escape_control;
using tally::agent::utf8_or_escaped;

TEST_CASE("escape_control: C0, DEL and C1 controls become \\xNN; text stays", "[text]") {
    CHECK(escape_control("alice") == "alice");
    CHECK(escape_control("b\x1b[2Jx") == "b\\x1b[2Jx");
    CHECK(escape_control("line\nforged: ok") == "line\\x0aforged: ok");
    CHECK(escape_control("del\x7f") == "del\\x7f");
    CHECK(escape_control("csi\xc2\x9b") == "csi\\xc2\\x9b");
    CHECK(escape_control("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
}

TEST_CASE("utf8_or_escaped: valid UTF-8 unchanged, other bytes one fixed way", "[text]") {
    CHECK(utf8_or_escaped("j\xc3\xb6rg") == "j\xc3\xb6rg");
    CHECK(utf8_or_escaped("j\xf6rg") == "j\\xf6rg");              // Latin-1 ö
    CHECK(utf8_or_escaped("\xc0\xaf") == "\\xc0\\xaf");           // overlong '/'
    CHECK(utf8_or_escaped("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
    CHECK(utf8_or_escaped("a\xe2\x82") == "a\\xe2\\x82");         // truncated
    CHECK(utf8_or_escaped("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");
    // Whatever the bytes, the result is valid JSON text (strict UTF-8 dump does not throw).
    for (int b = 0x80; b <= 0xff; ++b) {
        const std::string name = "u" + std::string(1, static_cast<char>(b)) + "x";
        nlohmann::json j = utf8_or_escaped(name);
        CHECK_NOTHROW(j.dump());
        CHECK(utf8_or_escaped(name) == utf8_or_escaped(name));
    }
}

TEST_CASE("status text escapes control characters from outside", "[text]") {
    tally::agent::Status s;
    s.last_error = "server said: \x1b]0;owned\x07";
    s.active_users_now = {"eve\x1b[31m"};
    const auto text = tally::agent::render_status_text(s, 0);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find("eve\\x1b[31m") != std::string::npos);
}
