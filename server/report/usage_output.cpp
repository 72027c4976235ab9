// Usage report exports (see usage_output.h).

#include "server/report/usage_output.h"

#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_xlsx.h"

namespace tally::server {

std::optional<UsageFormat> parse_usage_format(std::string_view name) {
    if (name == "json") {
        return UsageFormat::json;
    }
    if (name == "csv") {
        return UsageFormat::csv;
    }
    if (name == "xlsx") {
        return UsageFormat::xlsx;
    }
    return std::nullopt;
}

std::string_view content_type(UsageFormat format) {
    switch (format) {
        case UsageFormat::csv:
            return "text/csv; charset=utf-8";
        case UsageFormat::xlsx:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        case UsageFormat::json:
            break;
    }
    return "application/json";
}

Result<void> write_usage(const UsageReport& report, UsageFormat format, std::ostream& out,
                         const RowProgress& progress) {
    return write_usage(report, InMemoryRows(report), format, out, progress);
}

Result<void> write_usage(const UsageReport& report, const ReportRows& rows, UsageFormat format,
                         std::ostream& out, const RowProgress& progress) {
    if (format == UsageFormat::xlsx) {
        // Rows checked while they are written: the book reaches `out` only when it is whole.
        try {
            auto written = write_usage_xlsx(report, rows, out, progress);
            if (!written) {
                return written.error();
            }
        } catch (const RowsDamaged&) {
            return make_error("db", "the month snapshot is damaged or of another format");
        }
    } else {
        // JSON and CSV bytes go out as they are made: every row is checked first.
        if (auto checked = rows.check(); !checked) {
            return checked.error();
        }
        if (format == UsageFormat::json) {
            write_usage_json(report, rows, out, progress);
        } else {
            write_usage_csv(report, rows, out, progress);
        }
    }
    out.flush();
    if (!out) {
        return make_error("io", "the report could not be written");
    }
    return {};
}

}  // namespace tally::server
