#pragma once
// One entry for every export of the usage report: the format by name, and the report written
// in that format to a stream as it is produced (JSON and CSV row by row, after the rows were
// checked; XLSX in one pass, rows deflated as they are written and checked as they are read,
// the book copied to the stream once whole, about a tenth of the JSON's size), for the CLI
// (a file or stdout) and the HTTP API (a temporary file sent by the front, http/report_body.h).

#include <optional>
#include <ostream>
#include <string_view>

#include "pairing/result.h"
#include "server/report/report_rows.h"
#include "server/report/row_progress.h"
#include "server/report/usage_report.h"

namespace tally::server {

enum class UsageFormat { json, csv, xlsx };

//! "json", "csv", "xlsx"; nullopt for anything else.
std::optional<UsageFormat> parse_usage_format(std::string_view name);
std::string_view content_type(UsageFormat format);

//! Errors: xlsx (usage_xlsx.h), io (the stream failed), db (a damaged snapshot's rows: nothing
//! written).
Result<void> write_usage(const UsageReport& report, UsageFormat format, std::ostream& out,
                         const RowProgress& progress = {});
//! The same, the device and user rows taken from `rows` (a closed month's snapshot decoded row
//! by row: month_close.h usage_rows).
Result<void> write_usage(const UsageReport& report, const ReportRows& rows, UsageFormat format,
                         std::ostream& out, const RowProgress& progress = {});

}  // namespace tally::server
