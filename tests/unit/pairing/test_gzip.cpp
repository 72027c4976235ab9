// gzip round trip, malformed and truncated streams, and the decompression cap.

#include <catch2/catch.hpp>

#include "pairing/crypto.h"
#include "pairing/gzip.h"

using namespace tally::pairing;

TEST_CASE("gzip: round trip of empty, text and incompressible data") {
    const Bytes random = random_bytes(200000);
    for (const std::string& data : {std::string(), std::string("hello"), std::string(1 << 20, 'a'),
                                    std::string(as_chars(random))}) {
        const std::string z = gzip_compress(data);
        REQUIRE(z.size() >= 18);
        REQUIRE(static_cast<unsigned char>(z[0]) == 0x1f);  // gzip magic
        REQUIRE(static_cast<unsigned char>(z[1]) == 0x8b);
        const auto back = gzip_decompress(z, data.size());  // a cap equal to the size is fine
        REQUIRE(back.ok());
        REQUIRE(*back == data);
    }
    REQUIRE(*gzip_decompress(gzip_compress("abc", 1), 10) == "abc");
    REQUIRE(*gzip_decompress(gzip_compress("abc", 9), 10) == "abc");
}

TEST_CASE("gzip: truncated, corrupt and non-gzip input is bad_gzip") {
    const std::string data(100000, 'x');
    const std::string z = gzip_compress(data + std::string(as_chars(random_bytes(5000))));
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, z.size() / 2, z.size() - 1}) {
        const auto r = gzip_decompress(z.substr(0, cut), 1 << 20);
        INFO("cut at " << cut);
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.error().code == "bad_gzip");
    }
    std::string corrupt = z;
    corrupt[corrupt.size() - 6] = static_cast<char>(corrupt[corrupt.size() - 6] ^ 0xff);  // CRC
    REQUIRE(gzip_decompress(corrupt, 1 << 20).error().code == "bad_gzip");
    REQUIRE(gzip_decompress("{\"not\":\"gzip\"}", 1 << 20).error().code == "bad_gzip");
    REQUIRE(gzip_decompress(z + "junk", 1 << 20).error().code == "bad_gzip");
}

TEST_CASE("gzip: a bomb is refused by the cap, not allocated") {
    const std::string zeros(100u << 20, '\0');  // 100 MiB
    const std::string bomb = gzip_compress(zeros, 9);
    REQUIRE(bomb.size() < 200000);
    const auto r = gzip_decompress(bomb, 16u << 20);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().code == "too_large");
    REQUIRE(gzip_decompress(gzip_compress("12345"), 4).error().code == "too_large");
}
