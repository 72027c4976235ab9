// IOPlatformUUID handling (platform_uuid.h).

#include "platform/macos/platform_uuid.h"

#include <cctype>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

namespace tally::platform {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> normalize_platform_uuid(std::string_view text) {
    text = trim(text);
    if (text.size() != 36)
        return std::nullopt;
    std::string out;
    out.reserve(36);
    bool all_zero = true;
    bool all_f = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return std::nullopt;
            out.push_back('-');
            continue;
        }
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
        const char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        all_zero = all_zero && upper == '0';
        all_f = all_f && upper == 'F';
        out.push_back(upper);
    }
    if (all_zero || all_f)
        return std::nullopt;
    return out;
}

std::string platform_uuid_fingerprint(const std::optional<std::string>& normalized_uuid) {
    if (!normalized_uuid)
        return {};
    // Labelled like the Linux fingerprint, so identifiers of two platforms never collide.
    const std::string input = "tally-fingerprint-v1\nio-platform-uuid=" + *normalized_uuid + "\n";
    return pairing::hex_encode(pairing::sha256(input));
}

}  // namespace tally::platform
