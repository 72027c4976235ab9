// Pairing codes: Crockford base32 with a Luhn mod 32 check symbol (PROTOCOL.md §2).

#include "pairing/pairing_code.h"

#include "pairing/crypto.h"

namespace tally::pairing {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kPayloadSymbols = kPairingCodeSymbols - 1;

std::string format_code(std::string_view symbols) {
    std::string out = "TLY";
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (i % 4 == 0)
            out += '-';
        out += symbols[i];
    }
    return out;
}

// Luhn mod 32 misses exactly one adjacent transposition: values 0 and 31 ("0Z" <-> "Z0").
// Codes we issue never contain that pair, so every adjacent swap of an issued code is caught.
bool has_blind_transposition(std::string_view symbols) {
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
        const char a = symbols[i], b = symbols[i + 1];
        if ((a == '0' && b == 'Z') || (a == 'Z' && b == '0'))
            return true;
    }
    return false;
}

Error code_error(std::string message) {
    return make_error("invalid_code", std::move(message));
}

}  // namespace

int crockford_value(char c) {
    if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O')
        return 0;
    if (c == 'I' || c == 'L')
        return 1;
    for (int i = 0; i < 32; ++i) {
        if (kAlphabet[i] == c)
            return i;
    }
    return -1;
}

char crockford_symbol(int value) {
    return value >= 0 && value < 32 ? kAlphabet[value] : '?';
}

char luhn32_check_symbol(std::string_view symbols) {
    int sum = 0;
    bool twice = true;  // the rightmost payload symbol is doubled
    for (auto it = symbols.rbegin(); it != symbols.rend(); ++it) {
        int v = crockford_value(*it);
        if (v < 0)
            v = 0;
        if (twice)
            v *= 2;
        sum += v / 32 + v % 32;
        twice = !twice;
    }
    return kAlphabet[(32 - sum % 32) % 32];
}

std::string generate_pairing_code() {
    for (;;) {
        const Bytes random = random_bytes(kPayloadSymbols);
        std::string symbols;
        for (std::uint8_t b : random)
            symbols += kAlphabet[b & 31];  // 256 % 32 == 0: uniform
        symbols += luhn32_check_symbol(symbols);
        if (!has_blind_transposition(symbols))
            return format_code(symbols);
    }
}

Result<std::string> normalize_pairing_code(std::string_view typed) {
    // "TLY" is a prefix when a separator follows it, or when it makes the code 19 symbols long.
    const std::size_t first = typed.find_first_not_of(" \t");
    const std::string_view lead = first == std::string_view::npos ? "" : typed.substr(first);
    const bool separated_prefix = lead.size() > 3 && (lead[3] == '-' || lead[3] == ' ') &&
                                  (lead[0] == 'T' || lead[0] == 't') &&
                                  (lead[1] == 'L' || lead[1] == 'l') &&
                                  (lead[2] == 'Y' || lead[2] == 'y');
    std::string compact;
    for (char c : separated_prefix ? lead.substr(3) : lead) {
        if (c == '-' || c == ' ' || c == '\t')
            continue;
        compact += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    if (!separated_prefix && compact.size() == kPairingCodeSymbols + 3 &&
        compact.starts_with("TLY")) {
        compact.erase(0, 3);
    }
    if (compact.size() != kPairingCodeSymbols) {
        return code_error("pairing code must have 16 symbols after 'TLY-' (got " +
                          std::to_string(compact.size()) + ")");
    }
    std::string symbols;
    for (char c : compact) {
        const int v = crockford_value(c);
        if (v < 0) {
            const bool printable = c > 0x20 && c < 0x7f;
            return code_error(std::string("pairing code contains an invalid symbol ") +
                              (printable ? std::string("'") + c + "'" : "(not printable)") +
                              "; use 0-9 and A-Z without U");
        }
        symbols += kAlphabet[v];
    }
    if (luhn32_check_symbol(std::string_view(symbols).substr(0, kPayloadSymbols)) !=
        symbols.back()) {
        return code_error("pairing code check character does not match (typo?)");
    }
    return format_code(symbols);
}

}  // namespace tally::pairing
