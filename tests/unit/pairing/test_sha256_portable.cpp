// The resident agent's SHA-256/HMAC (pairing/sha256_portable.h) against FIPS 180-4 and
// RFC 4231 vectors, and against OpenSSL (crypto.h) on every length around block edges.

#include <catch2/catch.hpp>
#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/sha256_portable.h"

using namespace tally::pairing;

TEST_CASE("portable sha256: FIPS 180-4 vectors") {
    CHECK(hex_encode(portable::sha256(as_bytes(""))) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex_encode(portable::sha256(as_bytes("abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex_encode(portable::sha256(
              as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex_encode(portable::sha256(as_bytes(std::string(1000000, 'a')))) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("portable hmac_sha256: RFC 4231 cases 1, 2 and 6 (key longer than a block)") {
    const Bytes key1(20, 0x0b);
    CHECK(hex_encode(portable::hmac_sha256(key1, as_bytes("Hi There"))) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hex_encode(
              portable::hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    const Bytes key6(131, 0xaa);
    CHECK(hex_encode(portable::hmac_sha256(
              key6, as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("portable sha256 and hmac equal OpenSSL's for lengths 0..300") {
    std::string data;
    for (int n = 0; n <= 300; ++n) {
        INFO("length " << n);
        CHECK(portable::sha256(as_bytes(data)) == sha256(as_bytes(data)));
        CHECK(portable::hmac_sha256(as_bytes(data), as_bytes("m")) ==
              hmac_sha256(as_bytes(data), as_bytes("m")));
        data.push_back(static_cast<char>(n * 7 + 1));
    }
}
