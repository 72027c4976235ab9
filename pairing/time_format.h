#pragma once
// UTC timestamps as RFC 3339 ("2026-11-27T10:05:00Z"), portable (no timegm/_mkgmtime).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tally::pairing {

//! Seconds since the Unix epoch → "YYYY-MM-DDTHH:MM:SSZ".
std::string format_rfc3339(std::int64_t unix_seconds);
//! Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; returns Unix seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
//! Days since 1970-01-01 for a civil date and back (proleptic Gregorian).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day);
//! "YYYY-MM" → [first second, first second of next month) in UTC.
std::optional<std::pair<std::int64_t, std::int64_t>> month_range_utc(std::string_view month);

}  // namespace tally::pairing
