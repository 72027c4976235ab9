// Pairing code format, Luhn mod 32 check symbol and Crockford normalisation.

#include <catch2/catch.hpp>
#include <set>

#include "pairing/pairing_code.h"

using namespace tally::pairing;

namespace {
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// The 16 symbols of a canonical code, without "TLY-" and hyphens.
std::string symbols_of(const std::string& code) {
    std::string out;
    for (char c : code.substr(4)) {
        if (c != '-')
            out += c;
    }
    return out;
}
}  // namespace

TEST_CASE("pairing code: generated codes have the documented format") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string code = generate_pairing_code();
        REQUIRE(code.size() == 23);
        REQUIRE(code.substr(0, 4) == "TLY-");
        for (std::size_t p : {8u, 13u, 18u})
            REQUIRE(code[p] == '-');
        for (char c : symbols_of(code))
            REQUIRE(std::string(kAlphabet).find(c) != std::string::npos);
        const auto normalized = normalize_pairing_code(code);
        REQUIRE(normalized.ok());
        REQUIRE(*normalized == code);
        seen.insert(code);
    }
    REQUIRE(seen.size() == 200);  // 75 random bits: no repeats
}

TEST_CASE("pairing code: Luhn mod 32 check symbol, worked example") {
    // Payload 7Q2MK9ZD4XHBR3N: see PROTOCOL.md §2 for the arithmetic.
    REQUIRE(luhn32_check_symbol("7Q2MK9ZD4XHBR3N") == 'N');
    REQUIRE(normalize_pairing_code("TLY-7Q2M-K9ZD-4XHB-R3NN").ok());
    REQUIRE(luhn32_check_symbol("000000000000000") == '0');
    REQUIRE(luhn32_check_symbol("000000000000001") == 'Y');  // 2 -> 32 - 2 = 30
    REQUIRE(luhn32_check_symbol("00000000000000Z") == '1');  // 62 -> 1 + 30 = 31 -> 1
}

TEST_CASE("pairing code: every single-symbol substitution is rejected") {
    for (int n = 0; n < 20; ++n) {
        const std::string code = generate_pairing_code();
        const std::string sym = symbols_of(code);
        for (std::size_t pos = 0; pos < sym.size(); ++pos) {
            for (char c : std::string(kAlphabet)) {
                if (c == sym[pos])
                    continue;
                std::string typo = sym;
                typo[pos] = c;
                const auto r = normalize_pairing_code(typo);
                INFO(code << " -> " << typo);
                REQUIRE_FALSE(r.ok());
                REQUIRE(r.error().code == "invalid_code");
                REQUIRE(r.error().message.find("typo?") != std::string::npos);
            }
        }
    }
}

TEST_CASE("pairing code: adjacent transpositions of issued codes are rejected") {
    for (int n = 0; n < 300; ++n) {
        const std::string sym = symbols_of(generate_pairing_code());
        for (std::size_t pos = 0; pos + 1 < sym.size(); ++pos) {
            if (sym[pos] == sym[pos + 1])
                continue;
            std::string swapped = sym;
            std::swap(swapped[pos], swapped[pos + 1]);
            INFO(sym << " -> " << swapped);
            REQUIRE_FALSE(normalize_pairing_code(swapped).ok());
        }
    }
}

TEST_CASE("pairing code: Luhn mod 32's one blind swap is 0<->Z, which issued codes avoid") {
    // Documented limitation of Luhn mod N (values 0 and N-1): demonstrate it is real.
    std::string sym = "0Z0000000000000";
    sym += luhn32_check_symbol(sym);
    std::string swapped = sym;
    std::swap(swapped[0], swapped[1]);
    REQUIRE(normalize_pairing_code(sym).ok());
    REQUIRE(normalize_pairing_code(swapped).ok());
    for (int n = 0; n < 2000; ++n) {
        const std::string s = symbols_of(generate_pairing_code());
        REQUIRE(s.find("0Z") == std::string::npos);
        REQUIRE(s.find("Z0") == std::string::npos);
    }
}

TEST_CASE("pairing code: Crockford normalisation") {
    std::string sym = "7Q2MK9ZD4XH1R30";
    sym += luhn32_check_symbol(sym);
    const std::string canonical = "TLY-7Q2M-K9ZD-4XH1-R30" + sym.substr(15);
    REQUIRE(*normalize_pairing_code(canonical) == canonical);
    REQUIRE(*normalize_pairing_code("tly-7q2m-k9zd-4xh1-r30" + sym.substr(15)) == canonical);
    REQUIRE(*normalize_pairing_code("7Q2M K9ZD 4XHI R3O" + sym.substr(15)) == canonical);
    REQUIRE(*normalize_pairing_code("7q2mk9zd4xhlr3o" + sym.substr(15)) == canonical);
    REQUIRE(*normalize_pairing_code(" TLY 7Q2M-K9ZD-4XH1-R30" + sym.substr(15) + " ") == canonical);
    REQUIRE(crockford_value('o') == 0);
    REQUIRE(crockford_value('i') == 1);
    REQUIRE(crockford_value('L') == 1);
    REQUIRE(crockford_value('U') == -1);
    REQUIRE(crockford_value('Z') == 31);
    REQUIRE(crockford_symbol(31) == 'Z');
    for (int v = 0; v < 32; ++v)
        REQUIRE(crockford_value(crockford_symbol(v)) == v);
}

TEST_CASE("pairing code: errors say what is wrong") {
    auto r = normalize_pairing_code("TLY-7Q2M-K9ZD-4XHB-R3N");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().message.find("16 symbols") != std::string::npos);
    REQUIRE(r.error().message.find("got 15") != std::string::npos);

    r = normalize_pairing_code("TLY-7Q2M-K9ZD-4XHB-R3NNJ");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().message.find("got 17") != std::string::npos);

    r = normalize_pairing_code("TLY-7Q2M-K9ZD-4XHB-R3UJ");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().message.find("invalid symbol 'U'") != std::string::npos);

    r = normalize_pairing_code("TLY-7Q2M-K9ZD-4XHB-R3N*");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().message.find("'*'") != std::string::npos);

    REQUIRE_FALSE(normalize_pairing_code("").ok());
}
