// Text for an XLSX cell (see xlsx_text.h). Hot path of the large sheets: bytes that need
// nothing are found by a table lookup and copied in runs.

#include "server/report/xlsx_text.h"

#include <array>
#include <cstdint>

namespace tally::server {
namespace {

enum Kind : std::uint8_t { kPlain, kControl, kUnderscore, kMultibyte };

constexpr std::array<std::uint8_t, 256> make_kinds() {
    std::array<std::uint8_t, 256> kinds{};
    for (int b = 0; b < 0x20; ++b) {
        kinds[b] = (b == '\t' || b == '\n') ? kPlain : kControl;
    }
    kinds['_'] = kUnderscore;
    for (int b = 0x80; b < 0x100; ++b) {
        kinds[b] = kMultibyte;
    }
    return kinds;
}
constexpr auto kKinds = make_kinds();

void append_escape(std::string& out, std::uint32_t code) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += "_x";
    for (int shift = 12; shift >= 0; shift -= 4) {
        out += kHex[(code >> shift) & 0xf];
    }
    out += '_';
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

//! Length of the valid UTF-8 sequence at text[i] (a lead byte >= 0x80), or 0 if invalid.
std::size_t utf8_length(std::string_view text, std::size_t i, std::uint32_t& code) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        n = 2, code = b0 & 0x1f, min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        n = 3, code = b0 & 0x0f, min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        n = 4, code = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        if ((b & 0xc0) != 0x80) {
            return 0;
        }
        code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return 0;  // overlong, beyond Unicode, or a surrogate
    }
    return n;
}

//! `text` escaped (xlsx_text.h), appended to `out`.
void append_escaped(std::string& out, std::string_view text) {
    std::size_t run = 0;  // start of the pending run of bytes copied as they are
    std::size_t i = 0;
    while (i < text.size()) {
        const auto kind = kKinds[static_cast<unsigned char>(text[i])];
        if (kind == kPlain) {
            ++i;
            continue;
        }
        if (kind == kUnderscore) {
            // "_x" + 4 hex digits + "_" would be read back as one character: escape the '_'.
            if (i + 6 < text.size() && text[i + 1] == 'x' && is_hex(text[i + 2]) &&
                is_hex(text[i + 3]) && is_hex(text[i + 4]) && is_hex(text[i + 5]) &&
                text[i + 6] == '_') {
                out.append(text.data() + run, i - run);
                append_escape(out, '_');
                run = ++i;
            } else {
                ++i;
            }
            continue;
        }
        if (kind == kMultibyte) {
            std::uint32_t code = 0;
            const auto n = utf8_length(text, i, code);
            if (n != 0 && code != 0xfffe && code != 0xffff) {
                i += n;
                continue;
            }
            out.append(text.data() + run, i - run);
            if (n == 0) {
                out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
                ++i;
            } else {
                append_escape(out, code);
                i += n;
            }
            run = i;
            continue;
        }
        out.append(text.data() + run, i - run);
        append_escape(out, static_cast<unsigned char>(text[i]));  // a control character
        run = ++i;
    }
    out.append(text.data() + run, text.size() - run);
}

//! Byte length of the longest prefix of valid UTF-8 `text` within `units` UTF-16 units.
std::size_t prefix_within(std::string_view text, std::size_t units) {
    std::size_t i = 0;
    std::size_t used = 0;
    while (i < text.size()) {
        const auto b = static_cast<unsigned char>(text[i]);
        const std::size_t n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
        const std::size_t u = n == 4 ? 2 : 1;  // beyond the BMP: a surrogate pair
        if (used + u > units) {
            break;
        }
        used += u;
        i += n;
    }
    return i;
}

}  // namespace

std::string xlsx_cell_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_escaped(out, text);
    if (out.size() > kXlsxMaxCellChars) {  // bytes >= UTF-16 units: only then can it be over
        const auto whole = prefix_within(out, kXlsxMaxCellChars);
        if (whole < out.size()) {
            out.resize(prefix_within(out, kXlsxMaxCellChars - 1));
            out += "\xE2\x80\xA6";  // U+2026, one unit
        }
    }
    return out;
}

}  // namespace tally::server
