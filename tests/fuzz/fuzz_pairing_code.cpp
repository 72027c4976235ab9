// Fuzz: pairing-code parsing. A code that normalises must normalise to itself again.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pairing/pairing_code.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view typed(reinterpret_cast<const char*>(data), size);
    auto code = tally::pairing::normalize_pairing_code(typed);
    if (code) {
        auto again = tally::pairing::normalize_pairing_code(*code);
        if (!again || *again != *code)
            __builtin_trap();
    }
    return 0;
}
