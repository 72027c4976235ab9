#pragma once
// Byte strings and their text forms: hex and unpadded base64url (RFC 4648 §5).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tally::pairing {

using Bytes = std::vector<std::uint8_t>;

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string hex_encode(std::span<const std::uint8_t> data);
std::optional<Bytes> hex_decode(std::string_view text);

//! Unpadded base64url; decoding accepts no padding, no whitespace, no other alphabet.
std::string base64url_encode(std::span<const std::uint8_t> data);
std::optional<Bytes> base64url_decode(std::string_view text);

//! Standard base64 with padding (used by bundles and PEM-free key transport).
std::string base64_encode(std::span<const std::uint8_t> data);
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace tally::pairing
