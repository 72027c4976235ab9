#pragma once
// Instants as the tenant reads them: "YYYY-MM-DD HH:MM" in its time zone (the page names
// the zone once, beside the data).

#include <cstdint>
#include <string>
#include <string_view>

#include "server/billing/time_zone.h"

namespace tally::server::ui {

std::string local_time(const billing::TimeZone& tz, std::int64_t t);

//! An RFC 3339 UTC text (the report JSON's) in the zone; other text comes back unchanged.
std::string local_time_text(const billing::TimeZone& tz, std::string_view rfc3339);

//! "2026-12-05" of a local day number.
std::string local_date(std::int64_t day);

}  // namespace tally::server::ui
