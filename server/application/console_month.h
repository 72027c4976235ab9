#pragma once
// Use cases of the console (/ui): a customer's month (summary, charts, one page of Users and
// one of Devices) from the month's billing result kept by ReportCache (report_cache.h), so
// no page runs the billing engine on its own thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pairing/result.h"
#include "server/application/console_table.h"
#include "server/application/report_cache.h"
#include "server/report/usage_report.h"
#include "server/store/console_store.h"
#include "server/store/store.h"

namespace tally::server::application {

struct MonthUnits {
    std::string month;  //!< YYYY-MM
    std::int64_t billable_units = 0;
    bool pending = false;  //!< being computed (shown as 0 with a note)
};

struct ConsoleMonth {
    //! The whole month; nullptr while it is being computed (nothing else is filled then).
    std::shared_ptr<const KeptReport> report;
    std::int64_t pending_since = 0;        //!< when it was asked for, while pending
    std::vector<DeviceReportRow> devices;  //!< one page, expanded from *report
    PageInfo devices_page;
    std::vector<const billing::UserBilling*> users;  //!< one page, into *report
    PageInfo users_page;
    std::vector<ConsoleDay> days;   //!< active users and devices per day of the month
    std::vector<MonthUnits> trend;  //!< billable units of the 12 months ending with this one
};

//! Sort keys of the two tables (the first is the default).
const std::vector<std::string_view>& device_sorts();
const std::vector<std::string_view>& user_sorts();

//! The caller has been allowed the tenant already (application/admin_access.h).
//! Errors: build_usage_report's, db.
Result<ConsoleMonth> console_month(ReportCache& cache, std::string_view tenant,
                                   std::string_view month, const TableQuery& devices,
                                   const TableQuery& users, std::int64_t now);

//! The month (YYYY-MM) of instant `now` in the IANA zone `zone` (each zone's file read once).
//! Errors: TimeZone::load's.
Result<std::string> local_month(std::string_view zone, std::int64_t now);

//! "YYYY-MM" → {year, month}; nullopt when malformed.
std::optional<std::pair<int, unsigned>> parse_month(std::string_view month);
//! The month `delta` months from `month` (valid YYYY-MM) as YYYY-MM.
std::string shift_month(std::string_view month, int delta);
unsigned days_in_month(int year, unsigned month);

}  // namespace tally::server::application
