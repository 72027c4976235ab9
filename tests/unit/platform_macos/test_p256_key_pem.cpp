// The key file codec of the macOS backend, against OpenSSL's keys: a PKCS#8 key OpenSSL
// writes is read with the right public point, a key this codec writes is read by OpenSSL and
// signs verifiably. The SEC1 PEM below was made on Debian 12 with
// `openssl ecparam -name prime256v1 -genkey -noout` (OpenSSL 3.0.19); its point was printed
// by `openssl ec -pubout -outform DER`, its public-less form by `openssl ec -no_public`.

#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/macos/p256_key_pem.h"

using tally::pairing::Bytes;
using tally::pairing::SoftwareKey;
using tally::platform::p256_from_x963_private;
using tally::platform::p256_private_pem;
using tally::platform::p256_x963_private;
using tally::platform::parse_p256_private_pem;

namespace {

const char* kSec1 =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEILlLEjXjA1nWXG1M5DtLtIr5XFLN4LkT5ZBDfiDFiy5xoAoGCCqGSM49\n"
    "AwEHoUQDQgAEKU44KfBnaDlPRVnESPDsI9ylxkcqaZ2XSZVgHoYyX4FHxCjXXRIN\n"
    "mMOUNlSGB0uiqUJ/AJB7eNq1xsKhLQYLEA==\n"
    "-----END EC PRIVATE KEY-----\n";
const char* kSec1Point =
    "04294e3829f06768394f4559c448f0ec23dca5c6472a699d974995601e86325f8147c428d75d120d98c394365486"
    "074ba2a9427f00907b78dab5c6c2a12d060b10";
const char* kSec1NoPublic =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MDECAQEEILlLEjXjA1nWXG1M5DtLtIr5XFLN4LkT5ZBDfiDFiy5xoAoGCCqGSM49\n"
    "AwEH\n"
    "-----END EC PRIVATE KEY-----\n";

Bytes point_of(const tally::platform::P256PrivateKey& k) {
    return Bytes(k.point.begin(), k.point.end());
}

}  // namespace

TEST_CASE("a PKCS#8 key written by OpenSSL is read with its public point") {
    for (int i = 0; i < 20; ++i) {
        auto key = SoftwareKey::generate();
        REQUIRE(key.ok());
        auto parsed = parse_p256_private_pem(key->to_pem());
        REQUIRE(parsed.ok());
        CHECK(point_of(*parsed) == key->public_key());
        // Written back, it is byte-for-byte what OpenSSL wrote.
        CHECK(p256_private_pem(*parsed) == key->to_pem());
    }
}

TEST_CASE("a key this codec writes is OpenSSL's key: same point, verifiable signatures") {
    auto original = SoftwareKey::generate();
    REQUIRE(original.ok());
    auto parts = parse_p256_private_pem(original->to_pem());
    REQUIRE(parts.ok());
    auto reread = SoftwareKey::from_pem(p256_private_pem(*parts));
    REQUIRE(reread.ok());
    CHECK(reread->public_key() == original->public_key());
    const Bytes sig = reread->sign("heartbeat batch");
    CHECK(tally::pairing::verify_signature(original->public_key(),
                                           tally::pairing::as_bytes("heartbeat batch"), sig));
}

TEST_CASE("SEC1 PEM (openssl ecparam) is read; without its public point it is refused") {
    auto parsed = parse_p256_private_pem(kSec1);
    REQUIRE(parsed.ok());
    CHECK(tally::pairing::hex_encode(point_of(*parsed)) == kSec1Point);
    auto bare = parse_p256_private_pem(kSec1NoPublic);
    REQUIRE_FALSE(bare.ok());
    CHECK(bare.error().code == "bad_key");
    CHECK_THAT(bare.error().message, Catch::Contains("no public key"));
}

TEST_CASE("X9.63 04||X||Y||D round trip (Security's external representation)") {
    auto parsed = parse_p256_private_pem(kSec1);
    REQUIRE(parsed.ok());
    const Bytes x963 = p256_x963_private(*parsed);
    REQUIRE(x963.size() == 97);
    CHECK(x963[0] == 0x04);
    auto back = p256_from_x963_private(x963);
    REQUIRE(back.ok());
    CHECK(back->d == parsed->d);
    CHECK(back->point == parsed->point);
    CHECK_FALSE(p256_from_x963_private(Bytes(96, 4)).ok());
    Bytes wrong_prefix = x963;
    wrong_prefix[0] = 0x02;
    CHECK_FALSE(p256_from_x963_private(wrong_prefix).ok());
}

TEST_CASE("bad key files are refused with the reason") {
    auto refused = [](const std::string& pem, const std::string& why) {
        auto r = parse_p256_private_pem(pem);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains(why));
    };
    refused("", "no PEM");
    refused("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "encrypted");
    refused("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "base64");
    refused("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", "version");
    // An Ed25519 PKCS#8 key (RFC 8410 §10.3's example): not an EC key.
    refused(
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
        "-----END PRIVATE KEY-----\n",
        "elliptic-curve");
}
