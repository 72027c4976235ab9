#pragma once
// Use case of the console's Customers page (global admin): every tenant with its status,
// package mix and billable units this month and last month, filtered by name and status,
// sorted and paged on the server.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/application/admin_access.h"
#include "server/application/console_month.h"
#include "server/application/console_table.h"

namespace tally::server::application {

struct CustomerRow {
    std::string name;
    std::string time_zone;   //!< the tenant's zone
    std::string month;       //!< its this month (YYYY-MM), in its zone unless one was picked
    std::string last_month;  //!< the one before
    std::string status;      //!< in_trial | active | inactive (now)
    std::vector<billing::PackageUnits> packages;  //!< this month's, billed units per package
    std::int64_t units_this_month = 0;
    std::int64_t units_last_month = 0;
    bool pending = false;  //!< a month's figures are being computed (shown as such)
    std::int64_t change() const { return units_this_month - units_last_month; }
};

struct Customers {
    std::string month;              //!< the month picked; "" when each tenant's own
    std::vector<CustomerRow> rows;  //!< one page
    PageInfo page;
    std::int64_t pending = 0;  //!< listed tenants whose figures are being computed
};

//! Sort keys (the first is the default): name, status, units, last, change.
const std::vector<std::string_view>& customer_sorts();

//! `month`: "" for each tenant's current month in its own time zone (a tenant at UTC+13 is in
//! December while one at UTC-10 is still in November), else YYYY-MM for every tenant.
//! `status`: "" (all) or in_trial | active | inactive (else bad_request). The figures are
//! the kept ones (ReportCache); the missing ones are asked for and waited for together, at
//! most the cache's wait, then shown as pending. Errors: forbidden (not a global admin),
//! bad_request, build_usage_report's, db.
Result<Customers> console_customers(Store& store, ReportCache& cache, const Caller& caller,
                                    std::string_view month, const TableQuery& query,
                                    std::string_view status, std::int64_t now);

}  // namespace tally::server::application
