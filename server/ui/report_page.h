#pragma once
// A customer's month as an HTML page, rendered from the report's JSON
// (server/report/REPORT.md) so the page shows exactly what the API returns: the summary
// first, packages, the charts, then Users and Devices (one server-side page of each, every
// device row saying why it is billed or not), late adjustments, and the CSV and XLSX
// downloads (always the whole month).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/application/console_table.h"
#include "server/billing/time_zone.h"
#include "server/ui/page.h"
#include "server/ui/table_controls.h"

namespace tally::server::ui {

//! What the console adds to the report's JSON: the paging state of both tables, the
//! charts (trusted HTML), the tenant's zone for times. Users rows carry "key" (the user
//! page's link) beside the report's fields.
struct MonthParts {
    PageLink link;  //!< /ui/report with the page's query
    application::TableQuery devices;
    application::TableQuery users;
    application::PageInfo devices_page;
    application::PageInfo users_page;
    std::string charts;
    billing::TimeZone zone;
    std::int64_t late_total = 0;  //!< late heartbeats of the month (the page shows ≤ 100)
};

//! `report` is the parsed output of usage_to_json (its users and devices: the page's rows).
//! Cells carry data-field attributes so tests can read single values. Without parts: every
//! row, times in UTC, no controls.
std::string report_page(const PageHeader& header, const nlohmann::json& report,
                        const std::optional<MonthParts>& parts = std::nullopt);

}  // namespace tally::server::ui
