#pragma once
// The usage report as an HTML page, rendered from the report's JSON (server/report/REPORT.md)
// so the page shows exactly what the API returns: summary, packages, users, devices, late
// adjustments, and links to the CSV and XLSX downloads.

#include <nlohmann/json.hpp>
#include <string>

#include "server/ui/page.h"

namespace tally::server::ui {

//! `report` is the parsed output of usage_to_json. Cells carry data-field attributes so
//! tests can read single values.
std::string report_page(const PageHeader& header, const nlohmann::json& report);

}  // namespace tally::server::ui
