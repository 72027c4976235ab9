#pragma once
// LEB128 varints and length-prefixed bytes, the framing of the compact evidence form
// (evidence_compact.h) and of evidence packs (evidence_pack_codec.h). No SQL here.

#include <cstdint>
#include <string>
#include <string_view>

namespace tally::server::evidence {

inline void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

//! False when `in` ends inside the varint.
inline bool get_varint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= std::uint64_t{b & 0x7fu} << shift;
        if ((b & 0x80) == 0) {
            return true;
        }
    }
    return false;
}

//! A signed value, zigzag-encoded (small magnitudes take one byte).
inline void put_signed(std::string& out, std::int64_t v) {
    put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline bool get_signed(std::string_view& in, std::int64_t& v) {
    std::uint64_t u = 0;
    if (!get_varint(in, u)) {
        return false;
    }
    v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    return true;
}

inline void put_bytes(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out += s;
}

//! False when `in` is shorter than the length it announces.
inline bool get_bytes(std::string_view& in, std::string_view& s) {
    std::uint64_t n = 0;
    if (!get_varint(in, n) || n > in.size()) {
        return false;
    }
    s = in.substr(0, n);
    in.remove_prefix(n);
    return true;
}

}  // namespace tally::server::evidence
