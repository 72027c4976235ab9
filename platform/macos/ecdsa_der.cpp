// ECDSA signature DER codec (ecdsa_der.h).

#include "platform/macos/ecdsa_der.h"

#include <algorithm>

namespace tally::platform {
namespace {

constexpr std::size_t kScalar = 32;

Error bad(const std::string& why) {
    return make_error("bad_signature", "DER ECDSA signature: " + why);
}

//! Reads one minimal DER INTEGER at `pos` into a 32-byte big-endian slot.
Result<void> read_integer(std::span<const std::uint8_t> in, std::size_t& pos, std::uint8_t* slot) {
    if (pos + 2 > in.size() || in[pos] != 0x02)
        return bad("expected an INTEGER");
    const std::size_t len = in[pos + 1];
    pos += 2;
    if (len == 0 || len > kScalar + 1 || pos + len > in.size())
        return bad("INTEGER length out of range");
    auto value = in.subspan(pos, len);
    pos += len;
    if (value[0] & 0x80)
        return bad("negative INTEGER");
    if (value.size() > 1 && value[0] == 0 && !(value[1] & 0x80))
        return bad("INTEGER not minimally encoded");
    if (value[0] == 0 && value.size() > 1)
        value = value.subspan(1);
    if (value.size() > kScalar)
        return bad("INTEGER longer than 32 bytes");
    std::copy(value.begin(), value.end(), slot + (kScalar - value.size()));
    return {};
}

void write_integer(std::span<const std::uint8_t> scalar, pairing::Bytes& out) {
    std::size_t skip = 0;
    while (skip + 1 < scalar.size() && scalar[skip] == 0)
        ++skip;
    const auto value = scalar.subspan(skip);
    const bool pad = (value[0] & 0x80) != 0;
    out.push_back(0x02);
    out.push_back(static_cast<std::uint8_t>(value.size() + (pad ? 1 : 0)));
    if (pad)
        out.push_back(0x00);
    out.insert(out.end(), value.begin(), value.end());
}

}  // namespace

Result<pairing::Bytes> ecdsa_der_to_raw(std::span<const std::uint8_t> der) {
    // Two INTEGERs of at most 35 bytes each: the content is < 128 bytes, so DER requires the
    // short length form.
    if (der.size() < 2 || der[0] != 0x30)
        return bad("expected a SEQUENCE");
    if (der[1] & 0x80)
        return bad("long length form for a short SEQUENCE");
    if (static_cast<std::size_t>(der[1]) + 2 != der.size())
        return bad("SEQUENCE length does not match the data");
    pairing::Bytes raw(2 * kScalar, 0);
    std::size_t pos = 2;
    if (auto r = read_integer(der, pos, raw.data()); !r)
        return r.error();
    if (auto s = read_integer(der, pos, raw.data() + kScalar); !s)
        return s.error();
    if (pos != der.size())
        return bad("bytes after the second INTEGER");
    return raw;
}

pairing::Bytes ecdsa_raw_to_der(std::span<const std::uint8_t> raw) {
    if (raw.size() != 2 * kScalar)
        return {};
    pairing::Bytes body;
    write_integer(raw.first(kScalar), body);
    write_integer(raw.subspan(kScalar), body);
    pairing::Bytes out{0x30, static_cast<std::uint8_t>(body.size())};
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

}  // namespace tally::platform
