#pragma once
// Durations typed on the command line: a positive integer with a unit, s|m|h|d
// ("30d", "12h", "90m", "45s").

#include <cstdint>
#include <optional>
#include <string_view>

namespace tally::server::domain {

std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

}  // namespace tally::server::domain
