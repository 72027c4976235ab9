#pragma once
// What a session reporter (`tally-agent __session-reporter`, one per interactive session)
// tells the service over the idle pipe, and the pure pieces around it: the tick-count age
// (GetLastInputInfo and GetTickCount are 32-bit milliseconds that wrap every 49.7 days) and
// the one-line wire format "tally-idle 1 session=<id> idle_ms=<ms>\n".

#include <cstdint>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::platform {

struct IdleReport {
    std::uint32_t session = 0;  //!< the session the reporter says it runs in
    std::uint32_t idle_ms = 0;  //!< milliseconds since that session's last input
};

//! now_tick - last_input_tick modulo 2^32: right across one wrap of the tick counter.
std::uint32_t input_age_ms(std::uint32_t now_tick, std::uint32_t last_input_tick);

//! The largest report accepted (longer is garbage, not a report).
inline constexpr std::size_t kMaxIdleReportBytes = 64;

std::string format_idle_report(const IdleReport& r);

//! Strict: exactly the format above; anything else is an error naming the problem.
Result<IdleReport> parse_idle_report(std::string_view text);

}  // namespace tally::platform
