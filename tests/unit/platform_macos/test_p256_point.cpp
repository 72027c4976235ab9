// The P-256 on-curve check of the macOS backend, against OpenSSL's (pairing::PublicKey::parse
// on Linux) on real public keys and on thousands of corrupted ones.

#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/macos/p256_point.h"

using tally::pairing::Bytes;
using tally::platform::p256_point_on_curve;

namespace {

bool openssl_accepts(const Bytes& point) {
    return tally::pairing::PublicKey::parse(point).ok();
}

}  // namespace

TEST_CASE("real public keys are on the curve") {
    for (int i = 0; i < 50; ++i) {
        auto key = tally::pairing::SoftwareKey::generate();
        REQUIRE(key.ok());
        CHECK(p256_point_on_curve(key->public_key()));
    }
    // The generator G (FIPS 186-4 D.1.2.3).
    auto g = tally::pairing::hex_decode(
        "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    REQUIRE(g);
    CHECK(p256_point_on_curve(*g));
}

TEST_CASE("corrupted points: same answer as OpenSSL") {
    auto key = tally::pairing::SoftwareKey::generate();
    REQUIRE(key.ok());
    const Bytes good = key->public_key();
    int rejected = 0;
    for (std::size_t byte = 0; byte < good.size(); ++byte) {
        for (std::uint8_t bit = 1; bit != 0; bit = static_cast<std::uint8_t>(bit << 1)) {
            Bytes bad = good;
            bad[byte] ^= bit;
            const bool ours = p256_point_on_curve(bad);
            CHECK(ours == openssl_accepts(bad));
            rejected += ours ? 0 : 1;
        }
    }
    CHECK(rejected == 65 * 8);  // one flipped bit never lands on the curve again
}

TEST_CASE("coordinates at or above p, wrong sizes and prefixes are refused") {
    Bytes p_as_x(65, 0xff);
    p_as_x[0] = 0x04;
    CHECK_FALSE(p256_point_on_curve(p_as_x));
    CHECK(p256_point_on_curve(p_as_x) == openssl_accepts(p_as_x));
    CHECK_FALSE(p256_point_on_curve(Bytes(64, 0x04)));
    CHECK_FALSE(p256_point_on_curve(Bytes(66, 0x04)));
    auto key = tally::pairing::SoftwareKey::generate();
    REQUIRE(key.ok());
    Bytes compressed_prefix = key->public_key();
    compressed_prefix[0] = 0x02;
    CHECK_FALSE(p256_point_on_curve(compressed_prefix));
    CHECK_FALSE(p256_point_on_curve(Bytes(65, 0x00)));
}
