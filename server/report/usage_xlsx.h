#pragma once
// The usage report as an XLSX workbook (libxlsxwriter, constant_memory mode): sheets
// Summary (field/value), Packages, Users, Devices and Late adjustments; typed cells
// (numbers, booleans, UTC date-times), a frozen header row and an autofilter on each sheet.

#include <string>

#include "pairing/result.h"
#include "server/report/usage_report.h"

namespace tally::server {

//! The workbook's bytes. Errors: io (temporary file), xlsx (libxlsxwriter).
Result<std::string> usage_to_xlsx(const UsageReport& report);

}  // namespace tally::server
