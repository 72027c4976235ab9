// Duration parsing (see duration.h).

#include "server/domain/duration.h"

#include <charconv>

namespace tally::server::domain {

std::optional<std::int64_t> parse_duration_seconds(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    std::int64_t unit = 0;
    switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            return std::nullopt;
    }
    const auto digits = text.substr(0, text.size() - 1);
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0 ||
        n > 100LL * 365 * 86400 / unit) {
        return std::nullopt;
    }
    return n * unit;
}

}  // namespace tally::server::domain
