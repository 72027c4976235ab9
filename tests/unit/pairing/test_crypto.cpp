// SHA-256, HMAC, ECDSA P-256 sign/verify and key serialisation with the OpenSSL backend.

#include <catch2/catch.hpp>

#include "pairing/crypto.h"

using namespace tally::pairing;

TEST_CASE("sha256 and hmac_sha256 known answers") {
    REQUIRE(hex_encode(sha256("")) ==
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    REQUIRE(hex_encode(sha256("abc")) ==
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2
    REQUIRE(hex_encode(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // RFC 4231 test case 6: a key longer than the block is hashed first
    const Bytes long_key(131, 0xaa);
    REQUIRE(hex_encode(hmac_sha256(long_key, as_bytes("Test Using Larger Than Block-Size Key - "
                                                      "Hash Key First"))) ==
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    // empty key; a key of exactly one block (64 bytes) is used as it is (Python's hmac)
    REQUIRE(hex_encode(hmac_sha256({}, as_bytes("x"))) ==
            "4cbc96099a6467ce002461f10549b4898265ebe6188b45efacc44293516e62c4");
    Bytes block_key(64);
    for (std::size_t i = 0; i < block_key.size(); ++i)
        block_key[i] = static_cast<std::uint8_t>(i);
    REQUIRE(hex_encode(hmac_sha256(block_key, as_bytes("exactly one block of key"))) ==
            "aed89a53f83495834369f6c764db660e0e41d224347eb2b6f2054241399e36e2");
}

TEST_CASE("random_bytes gives distinct output of the asked size") {
    REQUIRE(random_bytes(0).empty());
    REQUIRE(random_bytes(33).size() == 33);
    REQUIRE(random_bytes(32) != random_bytes(32));
}

TEST_CASE("sign and verify round trip; any flipped bit fails") {
    auto key = SoftwareKey::generate();
    REQUIRE(key.ok());
    const Bytes pub = key->public_key();
    REQUIRE(pub.size() == kPublicKeySize);
    REQUIRE(pub[0] == 0x04);
    const std::string message = "{\"device_id\":\"dev_1\",\"heartbeats\":[]}";
    const Bytes sig = key->sign(message);
    REQUIRE(sig.size() == kSignatureSize);
    REQUIRE(verify_signature(pub, as_bytes(message), sig));

    SECTION("message") {
        for (std::size_t i = 0; i < message.size(); i += 7) {
            std::string m = message;
            m[i] = static_cast<char>(m[i] ^ 0x01);
            REQUIRE_FALSE(verify_signature(pub, as_bytes(m), sig));
        }
    }
    SECTION("signature") {
        for (std::size_t i = 0; i < sig.size(); ++i) {
            Bytes s = sig;
            s[i] ^= 0x80;
            REQUIRE_FALSE(verify_signature(pub, as_bytes(message), s));
        }
    }
    SECTION("public key") {
        for (std::size_t i = 0; i < pub.size(); ++i) {
            Bytes p = pub;
            p[i] ^= 0x01;
            REQUIRE_FALSE(verify_signature(p, as_bytes(message), sig));
        }
    }
    SECTION("another key") {
        auto other = SoftwareKey::generate();
        REQUIRE_FALSE(verify_signature(other->public_key(), as_bytes(message), sig));
    }
    SECTION("wrong sizes and degenerate values") {
        REQUIRE_FALSE(verify_signature(pub, as_bytes(message), Bytes(sig.begin(), sig.end() - 1)));
        Bytes longer = sig;
        longer.push_back(0);
        REQUIRE_FALSE(verify_signature(pub, as_bytes(message), longer));
        REQUIRE_FALSE(
            verify_signature(Bytes(pub.begin(), pub.begin() + 33), as_bytes(message), sig));
        REQUIRE_FALSE(verify_signature(pub, as_bytes(message), Bytes(64, 0)));
        REQUIRE_FALSE(verify_signature(Bytes(65, 0), as_bytes(message), sig));
        REQUIRE_FALSE(verify_signature({}, {}, {}));
    }
}

TEST_CASE("signatures are randomised but all verify; empty message signs") {
    auto key = SoftwareKey::generate();
    const Bytes a = key->sign(std::string_view("same"));
    const Bytes b = key->sign(std::string_view("same"));
    REQUIRE(a != b);
    REQUIRE(verify_signature(key->public_key(), as_bytes("same"), a));
    REQUIRE(verify_signature(key->public_key(), as_bytes("same"), b));
    const Bytes e = key->sign(std::string_view(""));
    REQUIRE(verify_signature(key->public_key(), {}, e));
}

TEST_CASE("PEM round trip keeps the key") {
    auto key = SoftwareKey::generate();
    const std::string pem = key->to_pem();
    REQUIRE(pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
    auto again = SoftwareKey::from_pem(pem);
    REQUIRE(again.ok());
    REQUIRE(again->public_key() == key->public_key());
    REQUIRE(verify_signature(key->public_key(), as_bytes("x"), again->sign(std::string_view("x"))));

    SoftwareKey moved = std::move(*again);
    REQUIRE(moved.public_key() == key->public_key());

    REQUIRE_FALSE(SoftwareKey::from_pem("").ok());
    REQUIRE_FALSE(
        SoftwareKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .ok());
    REQUIRE(SoftwareKey::from_pem("garbage").error().code == "bad_key");
}

TEST_CASE("DER <-> r||s conversion") {
    auto key = SoftwareKey::generate();
    for (int i = 0; i < 20; ++i) {
        const Bytes sig = key->sign(std::string_view("m"));
        const Bytes der = signature_to_der(sig);
        REQUIRE(der.size() >= 8);
        REQUIRE(der[0] == 0x30);
        auto back = signature_from_der(der);
        REQUIRE(back.ok());
        REQUIRE(*back == sig);
    }
    REQUIRE(signature_to_der(Bytes(63, 1)).empty());
    REQUIRE_FALSE(signature_from_der(Bytes{0x30, 0x00}).ok());
    REQUIRE_FALSE(signature_from_der(Bytes{}).ok());
    Bytes trailing = signature_to_der(key->sign(std::string_view("m")));
    trailing.push_back(0);
    REQUIRE_FALSE(signature_from_der(trailing).ok());
}

TEST_CASE("PublicKey::verify (reused contexts, DER built in place) agrees with verify_signature") {
    // r or s with a leading zero byte (1 in 256 signatures) or its high bit set (1 in 2)
    // changes the DER length: enough signatures to see both, each verified twice by the same
    // key (a context taken from its pool the second time) and once by verify_signature.
    auto key = SoftwareKey::generate();
    REQUIRE(key);
    auto parsed = PublicKey::parse(key->public_key());
    REQUIRE(parsed);
    int leading_zero = 0;
    int high_bit = 0;
    for (int i = 0; i < 2000 && (leading_zero < 2 || high_bit < 2); ++i) {
        const std::string message = "message " + std::to_string(i);
        const Bytes sig = key->sign(message);
        REQUIRE(sig.size() == kSignatureSize);
        leading_zero += sig[0] == 0 || sig[32] == 0;
        high_bit += (sig[0] & 0x80) != 0 || (sig[32] & 0x80) != 0;
        REQUIRE(parsed->verify(as_bytes(message), sig));
        REQUIRE(parsed->verify(as_bytes(message), sig));
        REQUIRE(verify_signature(key->public_key(), as_bytes(message), sig));
        Bytes bad = sig;
        bad[static_cast<std::size_t>(i) % bad.size()] ^= 0x01;
        REQUIRE_FALSE(parsed->verify(as_bytes(message), bad));
        REQUIRE_FALSE(parsed->verify(as_bytes(message + "x"), sig));
    }
    CHECK(leading_zero >= 2);
    CHECK(high_bit >= 2);
    CHECK_FALSE(parsed->verify(as_bytes("m"), Bytes(kSignatureSize, 0)));
    CHECK_FALSE(parsed->verify(as_bytes("m"), Bytes(kSignatureSize - 1, 1)));
}
