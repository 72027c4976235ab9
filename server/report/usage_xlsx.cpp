// Usage report → XLSX (see usage_xlsx.h): the sheets written one after the other, row by row,
// into an XlsxBook (one pass, rows deflated as they come), then copied to the stream.

#include "server/report/usage_xlsx.h"

#include <optional>
#include <sstream>
#include <variant>
#include <vector>

#include "pairing/time_format.h"
#include "server/report/xlsx_book.h"

namespace tally::server {
namespace {

struct Time {
    std::int64_t t;
};
using Cell = std::variant<std::monostate, std::string, std::int64_t, bool, Time>;

Cell opt_time(const std::optional<std::int64_t>& t) {
    return t ? Cell(Time{*t}) : Cell();
}

void put(XlsxSheet& sheet, std::size_t c, const Cell& cell) {
    if (const auto* s = std::get_if<std::string>(&cell)) {
        sheet.text(c, *s);
    } else if (const auto* n = std::get_if<std::int64_t>(&cell)) {
        sheet.number(c, *n);
    } else if (const auto* b = std::get_if<bool>(&cell)) {
        sheet.boolean(c, *b);
    } else if (const auto* t = std::get_if<Time>(&cell)) {
        sheet.time(c, t->t);
    }
}

void put_time(XlsxSheet& sheet, std::size_t c, const std::optional<std::int64_t>& t) {
    if (t) {
        sheet.time(c, *t);
    }
}

//! The header row's columns: short names 14 characters wide, longer ones 22.
std::vector<XlsxColumn> columns(const std::vector<std::string>& names) {
    std::vector<XlsxColumn> out;
    for (const auto& name : names) {
        out.push_back({name, name.size() < 12 ? 14.0 : 22.0});
    }
    return out;
}

//! `items` joined with ';' into `out` (a buffer reused row after row).
const std::string& join(const std::vector<std::string>& items, std::string& out) {
    out.clear();
    for (const auto& item : items) {
        if (!out.empty()) {
            out += ';';
        }
        out += item;
    }
    return out;
}

//! A sheet of `rows` rows, each given by `cells` (a list of Cells).
void table(XlsxBook& book, const std::string& name, const std::vector<std::string>& header,
           const std::vector<std::vector<Cell>>& rows) {
    auto& sheet = book.add_sheet(name, columns(header), rows.size());
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            put(sheet, c, row[c]);
        }
        sheet.next_row();
    }
}

void summary_sheet(XlsxBook& book, const UsageReport& r) {
    const auto& s = r.summary;
    std::string spans;  // "from/to;from/to" (ISO 8601 intervals)
    for (const auto& span : s.inactive_spans) {
        spans += (spans.empty() ? "" : ";") + pairing::format_rfc3339(span.from) + "/" +
                 pairing::format_rfc3339(span.to);
    }
    const std::vector<std::pair<std::string, Cell>> fields = {
        {"tenant", r.tenant},
        {"month", r.month},
        {"generated_at", Time{r.generated_at}},
        {"time_zone", s.time_zone},
        {"month_start", Time{s.month_start}},
        {"month_end", Time{s.month_end}},
        {"tenant_status", s.tenant_status},
        {"trial", s.trial},
        {"trial_end", opt_time(s.trial_end)},
        {"inactive_since", opt_time(s.inactive_since)},
        {"billable_from", opt_time(s.billable_from)},
        {"billable_to", opt_time(s.billable_to)},
        {"active_devices", s.active_devices},
        {"active_users", s.active_users},
        {"standalone_devices", s.standalone_devices},
        {"overflow_devices", s.overflow_devices},
        {"billable_units", s.billable_units},
        {"reported_units", s.reported_units},
        {"closes_at", Time{s.closes_at}},
        {"closed", s.closed},
        {"late_adjustments", s.late_adjustments},
        {"late_units_delta", s.late_units_delta},
        {"inactive_spans", spans},
        {"inactive_span_heartbeats", s.inactive_span_heartbeats}};
    std::vector<std::vector<Cell>> rows;
    for (const auto& [name, value] : fields) {
        rows.push_back({name, value});
    }
    table(book, "Summary", {"field", "value"}, rows);
}

void packages_sheet(XlsxBook& book, const UsageReport& r) {
    std::vector<std::vector<Cell>> rows;
    for (const auto& p : r.summary.packages) {
        rows.push_back({p.package, p.active_users, p.standalone_devices, p.billable_units});
    }
    table(book, "Packages", {"package", "active_users", "standalone_devices", "billable_units"},
          rows);
}

// The large sheets are written cell by cell, without building rows.
void users_sheet(XlsxBook& book, const ReportRows& r, const RowProgress& progress,
                 std::size_t& written) {
    auto& users = book.add_sheet(
        "Users",
        columns({"principal", "local", "device_id", "group", "package", "devices_paired",
                 "active_minutes", "active_days", "first_seen", "last_seen", "devices"}),
        r.user_count());
    std::string buffer;
    r.each_user([&](const billing::UserBilling& u) {
        users.text(0, u.principal);
        users.boolean(1, u.local);
        if (u.local) {
            users.text(2, u.device_id);
        }
        users.text(3, u.group);
        users.text(4, u.package);
        users.number(5, static_cast<std::int64_t>(u.devices_paired.size()));
        users.number(6, u.active_minutes);
        users.number(7, u.active_days);
        users.time(8, u.first_seen);
        users.time(9, u.last_seen);
        users.text(10, join(u.devices, buffer));
        users.next_row();
        if (progress) {
            progress(++written);
        }
    });
}

void devices_sheet(XlsxBook& book, const ReportRows& r, const RowProgress& progress,
                   std::size_t& written) {
    auto& devices = book.add_sheet(
        "Devices",
        columns({"device_id", "hostname", "device_type", "role", "paired_user", "paired_by",
                 "billed_as", "package", "active", "active_minutes", "active_days", "heartbeats",
                 "last_seq", "last_seen", "users", "covered_by", "retired_at",
                 "inactive_span_heartbeats", "explanation"}),
        r.device_count());
    std::string buffer;
    r.each_device([&](const DeviceReportRow& dr) {
        const auto& d = dr.usage.device;
        const auto& b = dr.billing;
        devices.text(0, d.id);
        devices.text(1, d.facts.hostname);
        devices.text(2, d.facts.device_type);
        devices.text(3, d.facts.role);
        devices.text(4, b.paired_user);
        devices.text(5, b.paired_by);
        devices.text(6, billing::to_string(b.billed_as));
        devices.text(7, b.package);
        devices.boolean(8, dr.active);
        devices.number(9, dr.usage.active_minutes);
        devices.number(10, dr.usage.active_days);
        devices.number(11, dr.usage.heartbeats);
        devices.number(12, static_cast<std::int64_t>(d.last_seq));
        put_time(devices, 13, d.last_seen);
        devices.text(14, join(dr.usage.users, buffer));
        devices.text(15, b.covered_by);
        put_time(devices, 16, d.retired_at);
        devices.number(17, dr.inactive_span_heartbeats);
        devices.text(18, dr.explanation);
        devices.next_row();
        if (progress) {
            progress(++written);
        }
    });
}

void late_sheet(XlsxBook& book, const UsageReport& r, const RowProgress& progress,
                std::size_t& written) {
    auto& late = book.add_sheet("Late adjustments",
                                columns({"device_id", "hostname", "heartbeats", "start",
                                         "received_at", "device_active_minutes", "users"}),
                                r.late.size());
    std::string buffer;
    for (const auto& l : r.late) {
        late.text(0, l.device_id);
        late.text(1, l.hostname);
        late.number(2, l.heartbeats);
        late.time(3, l.start);
        late.time(4, l.received_at);
        late.number(5, l.device_active_minutes);
        late.text(6, join(l.users, buffer));
        late.next_row();
        if (progress) {
            progress(++written);
        }
    }
}

}  // namespace

Result<void> write_usage_xlsx(const UsageReport& report, std::ostream& out,
                              const RowProgress& progress) {
    return write_usage_xlsx(report, InMemoryRows(report), out, progress);
}

Result<void> write_usage_xlsx(const UsageReport& report, const ReportRows& rows, std::ostream& out,
                              const RowProgress& progress) {
    auto book = XlsxBook::create(report.generated_at);
    if (!book) {
        return book.error();
    }
    std::size_t written = 0;
    summary_sheet(*book, report);
    packages_sheet(*book, report);
    users_sheet(*book, rows, progress, written);
    devices_sheet(*book, rows, progress, written);
    late_sheet(*book, report, progress, written);
    return book->finish(out);
}

Result<std::string> usage_to_xlsx(const UsageReport& report) {
    std::ostringstream out;
    auto written = write_usage_xlsx(report, out);
    if (!written) {
        return written.error();
    }
    return std::move(out).str();
}

}  // namespace tally::server
