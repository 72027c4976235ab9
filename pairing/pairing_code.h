#pragma once
// Pairing codes: "TLY-" + four groups of four Crockford base32 symbols; the last symbol is a
// Luhn mod 32 check character over the 15 before it, so any single mistyped symbol is caught
// locally, before a network call, and so is any swap of two adjacent symbols of an issued
// code (Luhn mod 32 misses only 0<->Z swaps; generate_pairing_code never emits "0Z"/"Z0").
// Parsing is forgiving the way Crockford intends: case-insensitive, O->0, I/L->1, hyphens and
// spaces ignored, "TLY" prefix optional.

#include <optional>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::pairing {

constexpr std::size_t kPairingCodeSymbols = 16;  // 15 random (75 bits) + 1 check

//! A new random code, formatted "TLY-XXXX-XXXX-XXXX-XXXX".
std::string generate_pairing_code();

//! The canonical form ("TLY-XXXX-XXXX-XXXX-XXXX") or an error naming what is wrong
//! (length, symbol, check character).
Result<std::string> normalize_pairing_code(std::string_view typed);

//! Crockford base32 symbol value (0..31) or -1.
int crockford_value(char c);
char crockford_symbol(int value);
char luhn32_check_symbol(std::string_view symbols);

}  // namespace tally::pairing
