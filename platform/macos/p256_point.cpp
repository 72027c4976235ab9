// P-256 on-curve check (p256_point.h) with 4×64-bit limbs. Not constant time: it only looks
// at public keys.

#include "platform/macos/p256_point.h"

#include <array>

namespace tally::platform {
namespace {

using U256 = std::array<std::uint64_t, 4>;  // little-endian limbs

// p = 2^256 − 2^224 + 2^192 + 2^96 − 1 and b, FIPS 186-4 D.1.2.3.
constexpr U256 kP = {0xFFFFFFFFFFFFFFFFull, 0x00000000FFFFFFFFull, 0x0000000000000000ull,
                     0xFFFFFFFF00000001ull};
constexpr U256 kB = {0x3BCE3C3E27D2604Bull, 0x651D06B0CC53B0F6ull, 0xB3EBBD55769886BCull,
                     0x5AC635D8AA3A93E7ull};

U256 from_big_endian(std::span<const std::uint8_t> bytes) {
    U256 v{};
    for (std::size_t i = 0; i < 32; ++i)
        v[3 - i / 8] = (v[3 - i / 8] << 8) | bytes[i];
    return v;
}

bool less(const U256& a, const U256& b) {
    for (int i = 3; i >= 0; --i) {
        if (a[i] != b[i])
            return a[i] < b[i];
    }
    return false;
}

//! a − b, returning the borrow.
std::uint64_t sub(U256& out, const U256& a, const U256& b) {
    std::uint64_t borrow = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::uint64_t d = a[i] - b[i];
        const std::uint64_t borrow1 = a[i] < b[i];
        out[i] = d - borrow;
        borrow = borrow1 | (d < borrow);
    }
    return borrow;
}

//! (a + b) mod p for a, b < p.
U256 add_mod(const U256& a, const U256& b) {
    U256 sum{};
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::uint64_t s = a[i] + carry;
        const std::uint64_t c1 = s < carry;
        sum[i] = s + b[i];
        carry = c1 | (sum[i] < b[i]);
    }
    if (carry || !less(sum, kP))
        sub(sum, sum, kP);
    return sum;
}

//! (a − b) mod p for a, b < p.
U256 sub_mod(const U256& a, const U256& b) {
    U256 d{};
    if (sub(d, a, b)) {
        // d is a − b + 2^256; adding p and dropping the carry out of 2^256 gives a − b + p.
        std::uint64_t carry = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const std::uint64_t s = d[i] + carry;
            const std::uint64_t c1 = s < carry;
            d[i] = s + kP[i];
            carry = c1 | (d[i] < kP[i]);
        }
    }
    return d;
}

//! (a · b) mod p by double-and-add over b's bits, a, b < p.
U256 mul_mod(const U256& a, const U256& b) {
    U256 r{};
    for (int i = 255; i >= 0; --i) {
        r = add_mod(r, r);
        if ((b[static_cast<std::size_t>(i) / 64] >> (i % 64)) & 1)
            r = add_mod(r, a);
    }
    return r;
}

}  // namespace

bool p256_point_on_curve(std::span<const std::uint8_t> point) {
    if (point.size() != 65 || point[0] != 0x04)
        return false;
    const U256 x = from_big_endian(point.subspan(1, 32));
    const U256 y = from_big_endian(point.subspan(33, 32));
    if (!less(x, kP) || !less(y, kP))
        return false;
    const U256 y2 = mul_mod(y, y);
    const U256 x3 = mul_mod(mul_mod(x, x), x);
    const U256 three_x = add_mod(add_mod(x, x), x);
    const U256 rhs = add_mod(sub_mod(x3, three_x), kB);
    return y2 == rhs;
}

}  // namespace tally::platform
