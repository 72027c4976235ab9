#pragma once
// A tenant's time zone from the system tz database (/usr/share/zoneinfo TZif files).
//
// Why read TZif ourselves: GCC 12's libstdc++ has no std::chrono::zoned_time, and the other
// portable route (setenv("TZ") + tzset + mktime under a mutex) changes process-global state
// that libcurl, OpenSSL and cpp-httplib's threads read without our mutex. A TZif file is a
// small, stable, documented format (RFC 8536): transitions and their UTC offsets. Debian
// ships "fat" files with transitions through 2037; after the last transition the last
// offset is kept (the POSIX footer rule is not evaluated).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pairing/result.h"

namespace tally::server::billing {

class TimeZone {
  public:
    //! UTC without reading a file.
    TimeZone() = default;
    //! Errors: bad_request (not a zone name, or no such zone), io.
    static Result<TimeZone> load(std::string_view name,
                                 const std::string& zoneinfo_dir = "/usr/share/zoneinfo");
    //! Parses TZif bytes (exposed for tests).
    static Result<TimeZone> parse(std::string_view name, std::string_view bytes);

    const std::string& name() const { return name_; }
    //! Seconds east of UTC at the UTC instant `t`.
    std::int64_t offset_at(std::int64_t t) const;
    //! The UTC instant of a local wall-clock time (the later offset in a fold).
    std::int64_t utc_of_local(std::int64_t local_seconds) const;
    //! Local calendar day number (days since 1970-01-01 in this zone) of instant `t`.
    std::int64_t local_day(std::int64_t t) const;
    //! "YYYY-MM" → [local midnight of the 1st, local midnight of the next 1st) as UTC.
    std::optional<std::pair<std::int64_t, std::int64_t>> month_range(std::string_view month) const;
    //! "YYYY-MM-DD" → local midnight as UTC.
    std::optional<std::int64_t> day_start(std::string_view date) const;

  private:
    std::string name_ = "UTC";
    std::vector<std::int64_t> transitions_;  //!< ascending UTC instants
    std::vector<std::int64_t> offsets_;      //!< offset from transitions_[i] on
    std::int64_t initial_offset_ = 0;        //!< before the first transition
};

}  // namespace tally::server::billing
