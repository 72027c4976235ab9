// The DER ⇄ r||s codec Security.framework's signatures go through, compared with OpenSSL's
// (pairing::signature_to_der / signature_from_der, the Linux backend) on real signatures and
// on edge cases of the encoding (RFC 3279 §2.2.3, X.690 DER rules).

#include <catch2/catch.hpp>

#include "pairing/crypto.h"
#include "platform/macos/ecdsa_der.h"

using tally::pairing::Bytes;
using tally::platform::ecdsa_der_to_raw;
using tally::platform::ecdsa_raw_to_der;

namespace {

Bytes raw_with(std::uint8_t r0, std::uint8_t s0, std::uint8_t fill = 0x11) {
    Bytes raw(64, fill);
    raw[0] = r0;
    raw[32] = s0;
    return raw;
}

}  // namespace

TEST_CASE("real signatures: same DER as OpenSSL, and back") {
    auto key = tally::pairing::SoftwareKey::generate();
    REQUIRE(key.ok());
    for (int i = 0; i < 200; ++i) {
        const Bytes raw = key->sign("message " + std::to_string(i));
        const Bytes ours = ecdsa_raw_to_der(raw);
        CHECK(ours == tally::pairing::signature_to_der(raw));
        auto back = ecdsa_der_to_raw(ours);
        REQUIRE(back.ok());
        CHECK(*back == raw);
    }
}

TEST_CASE("edge values: high bit set, leading zeros, zero") {
    for (const Bytes& raw : {raw_with(0x80, 0xff), raw_with(0x00, 0x00), raw_with(0x00, 0x7f),
                             Bytes(64, 0x00), Bytes(64, 0xff), raw_with(0x00, 0x01, 0x00)}) {
        const Bytes ours = ecdsa_raw_to_der(raw);
        CHECK(ours == tally::pairing::signature_to_der(raw));
        auto back = ecdsa_der_to_raw(ours);
        REQUIRE(back.ok());
        CHECK(*back == raw);
        auto theirs = tally::pairing::signature_from_der(ours);
        REQUIRE(theirs.ok());
        CHECK(*theirs == raw);
    }
    CHECK(ecdsa_raw_to_der(Bytes(63, 1)).empty());
}

TEST_CASE("non-DER input is refused with a reason") {
    const Bytes good = ecdsa_raw_to_der(raw_with(0x12, 0x34));
    auto refuse = [](const Bytes& der) {
        auto r = ecdsa_der_to_raw(der);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "bad_signature");
    };
    refuse({});
    Bytes trailing = good;
    trailing.push_back(0x00);
    trailing[1] = static_cast<std::uint8_t>(trailing[1] + 1);  // a third element
    refuse(trailing);
    Bytes wrong_tag = good;
    wrong_tag[0] = 0x31;
    refuse(wrong_tag);
    Bytes short_len = good;
    short_len[1] = static_cast<std::uint8_t>(short_len[1] - 1);
    refuse(short_len);
    // 02 02 00 12: a needless leading zero.
    refuse({0x30, 0x07, 0x02, 0x02, 0x00, 0x12, 0x02, 0x01, 0x34});
    // 02 01 80: negative.
    refuse({0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x34});
    // Long length form for a short sequence.
    refuse({0x30, 0x81, 0x06, 0x02, 0x01, 0x12, 0x02, 0x01, 0x34});
    // A 33-byte value that is not a sign pad.
    Bytes big = {0x30, 0x26, 0x02, 0x21};
    big.insert(big.end(), 33, 0x01);
    big.insert(big.end(), {0x02, 0x01, 0x34});
    refuse(big);
    for (std::size_t n = 0; n < good.size(); ++n)
        refuse(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
}
