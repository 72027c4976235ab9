// Local times for the pages (see local_time.h).

#include "server/ui/local_time.h"

#include <cstdio>

#include "pairing/time_format.h"

namespace tally::server::ui {

std::string local_time(const billing::TimeZone& tz, std::int64_t t) {
    const auto local = t + tz.offset_at(t);
    const auto day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const auto secs = local - day * 86400;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    pairing::civil_from_days(day, y, m, d);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", y, m, d,
                  static_cast<int>(secs / 3600), static_cast<int>(secs % 3600 / 60));
    return buf;
}

std::string local_time_text(const billing::TimeZone& tz, std::string_view rfc3339) {
    const auto t = pairing::parse_rfc3339(rfc3339);
    return t ? local_time(tz, *t) : std::string(rfc3339);
}

std::string local_date(std::int64_t day) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    pairing::civil_from_days(day, y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

}  // namespace tally::server::ui
