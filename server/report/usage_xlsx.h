#pragma once
// The usage report as an XLSX workbook, written in one pass (xlsx_book.h): sheets Summary
// (field/value), Packages, Users, Devices and Late adjustments; typed cells (numbers,
// booleans, UTC date-times; text as strings, never formulas), a frozen header row and an
// autofilter on each sheet. Rows are deflated into the package as they are written: memory
// does not grow with the rows.

#include <functional>
#include <ostream>
#include <string>

#include "pairing/result.h"
#include "server/report/report_rows.h"
#include "server/report/row_progress.h"
#include "server/report/usage_report.h"

namespace tally::server {

//! Writes the workbook's bytes to `out`; `progress` after each user, device and late row.
//! Errors: xlsx (a sheet beyond Excel's limits), io (temporary files, `out`). A visit of
//! `rows` that throws RowsDamaged leaves `out` untouched (usage_output.h turns it into db).
Result<void> write_usage_xlsx(const UsageReport& report, std::ostream& out,
                              const RowProgress& progress = {});

//! The same, the device and user rows taken from `rows` (report.devices/users unread).
Result<void> write_usage_xlsx(const UsageReport& report, const ReportRows& rows, std::ostream& out,
                              const RowProgress& progress = {});

//! The workbook's bytes as one string (tests, small reports). Errors: as above.
Result<std::string> usage_to_xlsx(const UsageReport& report);

}  // namespace tally::server
