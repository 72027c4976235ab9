#pragma once
// `tally-agent report --month YYYY-MM`: what this device's own records say about a month —
// what an export of that month will claim (active days, active users with their minutes).

#include <cstdint>
#include <string>
#include <vector>

#include "agent/standalone/ledger.h"

namespace tally::agent::standalone {

struct UserMinutes {
    std::string principal;
    bool local = false;
    std::uint64_t active_minutes = 0;
    std::uint32_t active_days = 0;
};

struct MonthReport {
    std::string month;  //!< YYYY-MM
    std::int64_t from = 0;
    std::int64_t to = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t declared_lost = 0;  //!< seqs inside the month's range declared as gaps
    std::uint32_t active_days = 0;    //!< UTC days with ≥ 1 device-active minute
    std::uint64_t device_active_minutes = 0;
    std::vector<UserMinutes> users;  //!< users with ≥ 1 active minute, by principal
};

//! `selected` is select_range() of the month.
MonthReport build_month_report(const std::string& month, std::int64_t from, std::int64_t to,
                               const Ledger& selected);
std::string month_report_json(const MonthReport& r);
std::string month_report_text(const MonthReport& r);

}  // namespace tally::agent::standalone
