#pragma once
// Use cases of the console (/ui): a customer's month (summary, charts, one page of Users and
// one of Devices) and the reports behind it, kept for a short while so paging through a
// 100,000-device month does not run the billing engine again on every page.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pairing/result.h"
#include "server/application/console_table.h"
#include "server/report/usage_report.h"
#include "server/store/console_store.h"
#include "server/store/store.h"

namespace tally::server::application {

//! Usage reports by (tenant, month), kept `open_ttl_seconds` (the page says when it was
//! generated): paging through a month reuses one run of the billing engine. At most
//! `max_reports` whole reports (~1.5 KB a device: 150 MB at 100,000 devices). The small
//! per-month totals (units, packages) of a closed month are kept for good (its billed
//! numbers never change; late heartbeats are listed apart), an open month's for the TTL.
//! Safe from several threads.
class ReportCache {
  public:
    struct Totals {
        std::int64_t billable_units = 0;
        std::vector<billing::PackageUnits> packages;
    };

    explicit ReportCache(std::int64_t open_ttl_seconds = 60, std::size_t max_reports = 3)
        : ttl_(open_ttl_seconds), max_reports_(max_reports) {}

    //! build_usage_report's errors.
    Result<std::shared_ptr<const UsageReport>> report(Store& store, std::string_view tenant,
                                                      std::string_view month, std::int64_t now);
    //! A month without rollup rows has 0 units and no report is built for it.
    Result<Totals> totals(Store& store, std::string_view tenant, std::string_view month,
                          std::int64_t now);
    //! ConsoleStore::console_days of the report's month, kept for the TTL.
    Result<std::vector<ConsoleDay>> days(Store& store, const UsageReport& report, std::int64_t now);

  private:
    using Key = std::pair<std::string, std::string>;
    struct Entry {
        std::shared_ptr<const UsageReport> report;
        std::int64_t made_at = 0;
    };
    struct DaysEntry {
        std::vector<ConsoleDay> days;
        std::int64_t made_at = 0;
    };
    struct TotalsEntry {
        Totals totals;
        bool closed = false;
        std::int64_t made_at = 0;
    };
    bool fresh(bool closed, std::int64_t made_at, std::int64_t now) const {
        return closed || now - made_at < ttl_;
    }

    std::int64_t ttl_;
    std::size_t max_reports_;
    std::mutex mutex_;
    std::map<Key, Entry> reports_;
    std::map<Key, TotalsEntry> totals_;
    std::map<Key, DaysEntry> days_;
};

struct MonthUnits {
    std::string month;  //!< YYYY-MM
    std::int64_t billable_units = 0;
};

struct ConsoleMonth {
    std::shared_ptr<const UsageReport> report;    //!< the whole month
    std::vector<const DeviceReportRow*> devices;  //!< one page, into *report
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
Result<ConsoleMonth> console_month(Store& store, ReportCache& cache, std::string_view tenant,
                                   std::string_view month, const TableQuery& devices,
                                   const TableQuery& users, std::int64_t now);

//! "YYYY-MM" → {year, month}; nullopt when malformed.
std::optional<std::pair<int, unsigned>> parse_month(std::string_view month);
//! The month `delta` months from `month` (valid YYYY-MM) as YYYY-MM.
std::string shift_month(std::string_view month, int delta);
unsigned days_in_month(int year, unsigned month);

}  // namespace tally::server::application
