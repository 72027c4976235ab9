#pragma once
// The usage report as an XLSX workbook (our streaming writer: xlsx_sheet, xlsx_workbook):
// sheets Summary (field/value), Packages, Users, Devices and Late adjustments; typed cells
// (numbers, booleans, UTC date-times), a frozen header row and an autofilter on each sheet.

#include <string>

#include "pairing/result.h"
#include "server/report/usage_report.h"

namespace tally::server {

//! The workbook's bytes. Errors: xlsx (zlib, or a sheet or the zip beyond its format's limits).
Result<std::string> usage_to_xlsx(const UsageReport& report);

}  // namespace tally::server
