// Segment file names (see segment_name.h).

#include "agent/spool/segment_name.h"

#include <cstdint>
#include <cstdio>

namespace tally::agent::spool {

std::string segment_name(std::uint64_t first_seq) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "seg-%020llu.log", static_cast<unsigned long long>(first_seq));
    return buf;
}

std::optional<std::uint64_t> parse_segment_name(const std::string& n) {
    if (n.size() != 4 + 20 + 4 || n.rfind("seg-", 0) != 0 || n.substr(24) != ".log") {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 4; i < 24; ++i) {
        if (n[i] < '0' || n[i] > '9')
            return std::nullopt;
        std::uint64_t digit = static_cast<std::uint64_t>(n[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return std::nullopt;
        v = v * 10 + digit;
    }
    return v;
}

}  // namespace tally::agent::spool
