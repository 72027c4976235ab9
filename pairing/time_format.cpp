// RFC 3339 timestamps and civil-date arithmetic (Howard Hinnant's days_from_civil), with no
// dependency on the C library's time zone functions.

#include "pairing/time_format.h"

#include <cstdio>

namespace tally::pairing {
namespace {

bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` decimal digits at `pos`; advances pos.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
    if (pos + n > s.size())
        return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c)
        return false;
    ++pos;
    return true;
}

constexpr std::int64_t kDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
    const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
    const std::int64_t era = floor_div(y, 400);
    const std::int64_t yoe = y - era * 400;                               // [0, 399]
    const std::int64_t mp = (static_cast<std::int64_t>(month) + 9) % 12;  // March = 0
    const std::int64_t doy = (153 * mp + 2) / 5 + static_cast<std::int64_t>(day) - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
    return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day) {
    const std::int64_t z = days + 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
}

std::string format_rfc3339(std::int64_t unix_seconds) {
    const std::int64_t days = floor_div(unix_seconds, kDay);
    const std::int64_t secs = unix_seconds - days * kDay;
    int y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
                  static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60));
    return buf;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
    std::size_t pos = 0;
    const auto year = digits(s, pos, 4);
    if (!year || !expect(s, pos, '-'))
        return std::nullopt;
    const auto month = digits(s, pos, 2);
    if (!month || !expect(s, pos, '-'))
        return std::nullopt;
    const auto day = digits(s, pos, 2);
    if (!day)
        return std::nullopt;
    if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't'))
        return std::nullopt;
    ++pos;
    const auto hour = digits(s, pos, 2);
    if (!hour || !expect(s, pos, ':'))
        return std::nullopt;
    const auto minute = digits(s, pos, 2);
    if (!minute || !expect(s, pos, ':'))
        return std::nullopt;
    const auto second = digits(s, pos, 2);
    if (!second)
        return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 ||
        static_cast<unsigned>(*day) > days_in_month(*year, static_cast<unsigned>(*month)) ||
        *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    if (pos < s.size() && s[pos] == '.') {  // fraction: at least one digit, then dropped
        ++pos;
        const std::size_t first = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
            ++pos;
        if (pos == first)
            return std::nullopt;
    }
    std::int64_t offset = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        const auto oh = digits(s, pos, 2);
        if (!oh || !expect(s, pos, ':'))
            return std::nullopt;
        const auto om = digits(s, pos, 2);
        if (!om || *oh > 23 || *om > 59)
            return std::nullopt;
        offset = sign * (*oh * 3600 + *om * 60);
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;
    const std::int64_t days =
        days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    // A leap second (:60) is the same instant as the next minute's :00.
    return days * kDay + *hour * 3600 + *minute * 60 + *second - offset;
}

std::optional<std::pair<std::int64_t, std::int64_t>> month_range_utc(std::string_view text) {
    std::size_t pos = 0;
    const auto year = digits(text, pos, 4);
    if (!year || !expect(text, pos, '-'))
        return std::nullopt;
    const auto month = digits(text, pos, 2);
    if (!month || pos != text.size() || *month < 1 || *month > 12)
        return std::nullopt;
    const int next_year = *month == 12 ? *year + 1 : *year;
    const unsigned next_month = *month == 12 ? 1 : static_cast<unsigned>(*month) + 1;
    return std::make_pair(days_from_civil(*year, static_cast<unsigned>(*month), 1) * kDay,
                          days_from_civil(next_year, next_month, 1) * kDay);
}

}  // namespace tally::pairing
