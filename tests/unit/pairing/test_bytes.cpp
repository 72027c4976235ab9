// Hex, base64url and base64: round trips and rejections.

#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

using namespace tally::pairing;

TEST_CASE("hex: known values, round trip, rejections") {
    const Bytes data{0x00, 0x01, 0xab, 0xff};
    REQUIRE(hex_encode(data) == "0001abff");
    REQUIRE(*hex_decode("0001abff") == data);
    REQUIRE(*hex_decode("0001ABFF") == data);
    REQUIRE(hex_decode("")->empty());
    REQUIRE_FALSE(hex_decode("abc").has_value());
    REQUIRE_FALSE(hex_decode("zz").has_value());
    REQUIRE_FALSE(hex_decode("0x00").has_value());
    for (std::size_t n = 0; n < 70; ++n) {
        const Bytes b = random_bytes(n);
        REQUIRE(*hex_decode(hex_encode(b)) == b);
    }
}

TEST_CASE("base64url: RFC 4648 vectors without padding") {
    const auto enc = [](std::string_view s) { return base64url_encode(as_bytes(s)); };
    REQUIRE(enc("") == "");
    REQUIRE(enc("f") == "Zg");
    REQUIRE(enc("fo") == "Zm8");
    REQUIRE(enc("foo") == "Zm9v");
    REQUIRE(enc("foob") == "Zm9vYg");
    REQUIRE(enc("fooba") == "Zm9vYmE");
    REQUIRE(enc("foobar") == "Zm9vYmFy");
    const Bytes special{0xfb, 0xff, 0xbf};
    REQUIRE(base64url_encode(special) == "-_-_");
    REQUIRE(*base64url_decode("-_-_") == special);
}

TEST_CASE("base64url: round trip and rejections") {
    for (std::size_t n = 0; n < 100; ++n) {
        const Bytes b = random_bytes(n);
        const std::string text = base64url_encode(b);
        REQUIRE(text.find('=') == std::string::npos);
        REQUIRE(*base64url_decode(text) == b);
    }
    REQUIRE_FALSE(base64url_decode("Zg==").has_value());     // padding
    REQUIRE_FALSE(base64url_decode("Zm9v Yg").has_value());  // whitespace
    REQUIRE_FALSE(base64url_decode("+/+/").has_value());     // standard alphabet
    REQUIRE_FALSE(base64url_decode("Z").has_value());        // impossible length
    REQUIRE_FALSE(base64url_decode("Zh").has_value());       // non-zero spare bits
    REQUIRE_FALSE(base64url_decode("Zm9vYh").has_value());
}

TEST_CASE("base64: padded standard alphabet") {
    const auto enc = [](std::string_view s) { return base64_encode(as_bytes(s)); };
    REQUIRE(enc("f") == "Zg==");
    REQUIRE(enc("fo") == "Zm8=");
    REQUIRE(enc("foobar") == "Zm9vYmFy");
    REQUIRE(base64_encode(Bytes{0xfb, 0xff, 0xbf}) == "+/+/");
    for (std::size_t n = 0; n < 100; ++n) {
        const Bytes b = random_bytes(n);
        REQUIRE(*base64_decode(base64_encode(b)) == b);
    }
    REQUIRE_FALSE(base64_decode("Zg").has_value());
    REQUIRE_FALSE(base64_decode("Zg=").has_value());
    REQUIRE_FALSE(base64_decode("Z===").has_value());
    REQUIRE_FALSE(base64_decode("-_-_").has_value());
    REQUIRE_FALSE(base64_decode("Zg==Zg==").has_value());
}
