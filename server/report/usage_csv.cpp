// Usage report → CSV (see usage_csv.h).

#include "server/report/usage_csv.h"

#include <array>
#include <sstream>

#include "pairing/time_format.h"
#include "server/report/csv_writer.h"

namespace tally::server {
namespace {

enum Col {
    kRowType,
    kTenant,
    kMonth,
    kDeviceId,
    kHostname,
    kDeviceType,
    kRole,
    kPrincipal,
    kLocal,
    kActive,
    kActiveMinutes,
    kActiveDays,
    kHeartbeats,
    kLastSeq,
    kLastSeen,
    kRelated,
    kActiveDevices,
    kActiveUsers,
    kStandalone,
    kBillable,
    kBilledAs,
    kPackage,
    kPairedUser,
    kFirstSeen,
    kTrial,
    kClosed,
    kLate,
    kReported,
    kCoveredBy,
    kRetiredAt,
    kInactiveSpanHeartbeats,
    kExplanation,
    kColumns
};

constexpr std::array<const char*, kColumns> kHeader = {"row_type",
                                                       "tenant",
                                                       "month",
                                                       "device_id",
                                                       "hostname",
                                                       "device_type",
                                                       "role",
                                                       "principal",
                                                       "local",
                                                       "active",
                                                       "active_minutes",
                                                       "active_days",
                                                       "heartbeats",
                                                       "last_seq",
                                                       "last_seen",
                                                       "related",
                                                       "active_devices",
                                                       "active_users",
                                                       "standalone_devices",
                                                       "billable_units",
                                                       "billed_as",
                                                       "package",
                                                       "paired_user",
                                                       "first_seen",
                                                       "trial",
                                                       "closed",
                                                       "late_adjustments",
                                                       "reported_units",
                                                       "covered_by",
                                                       "retired_at",
                                                       "inactive_span_heartbeats",
                                                       "explanation"};

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ";") + item;
    }
    return out;
}

std::string flag(bool b) {
    return b ? "true" : "false";
}

std::string time_text(const std::optional<std::int64_t>& t) {
    return t ? pairing::format_rfc3339(*t) : "";
}

struct Row {
    std::vector<std::string> f = std::vector<std::string>(kColumns);
    Row(const char* type, const UsageReport& r) {
        f[kRowType] = type;
        f[kTenant] = r.tenant;
        f[kMonth] = r.month;
    }
    std::string& operator[](Col c) { return f[static_cast<std::size_t>(c)]; }
};

Row summary_row(const UsageReport& r) {
    const auto& s = r.summary;
    Row sum("summary", r);
    sum[kActiveDevices] = std::to_string(s.active_devices);
    sum[kActiveUsers] = std::to_string(s.active_users);
    sum[kStandalone] = std::to_string(s.standalone_devices);
    sum[kBillable] = std::to_string(s.billable_units);
    sum[kTrial] = flag(s.trial);
    sum[kClosed] = flag(s.closed);
    sum[kLate] = std::to_string(s.late_adjustments);
    sum[kReported] = std::to_string(s.reported_units);
    sum[kInactiveSpanHeartbeats] = std::to_string(s.inactive_span_heartbeats);
    return sum;
}

Row package_row(const UsageReport& r, const billing::PackageUnits& p) {
    Row row("package", r);
    row[kPackage] = p.package;
    row[kActiveUsers] = std::to_string(p.active_users);
    row[kStandalone] = std::to_string(p.standalone_devices);
    row[kBillable] = std::to_string(p.billable_units);
    return row;
}

Row device_row(const UsageReport& r, const DeviceReportRow& dr) {
    const auto& d = dr.usage.device;
    Row row("device", r);
    row[kDeviceId] = d.id;
    row[kHostname] = d.facts.hostname;
    row[kDeviceType] = d.facts.device_type;
    row[kRole] = d.facts.role;
    row[kActive] = flag(dr.active);
    row[kActiveMinutes] = std::to_string(dr.usage.active_minutes);
    row[kActiveDays] = std::to_string(dr.usage.active_days);
    row[kHeartbeats] = std::to_string(dr.usage.heartbeats);
    row[kLastSeq] = std::to_string(d.last_seq);
    row[kLastSeen] = time_text(d.last_seen);
    row[kRelated] = join(dr.usage.users);
    row[kBilledAs] = std::string(billing::to_string(dr.billing.billed_as));
    row[kPackage] = dr.billing.package;
    row[kPairedUser] = dr.billing.paired_user;
    row[kCoveredBy] = dr.billing.covered_by;
    row[kRetiredAt] = time_text(d.retired_at);
    row[kInactiveSpanHeartbeats] = std::to_string(dr.inactive_span_heartbeats);
    row[kExplanation] = dr.explanation;
    return row;
}

Row user_row(const UsageReport& r, const billing::UserBilling& u) {
    Row row("user", r);
    row[kDeviceId] = u.local ? u.device_id : "";
    row[kPrincipal] = u.principal;
    row[kLocal] = flag(u.local);
    row[kActive] = "true";
    row[kActiveMinutes] = std::to_string(u.active_minutes);
    row[kActiveDays] = std::to_string(u.active_days);
    row[kLastSeen] = pairing::format_rfc3339(u.last_seen);
    row[kRelated] = join(u.devices);
    row[kPackage] = u.package;
    row[kFirstSeen] = pairing::format_rfc3339(u.first_seen);
    return row;
}

Row late_row(const UsageReport& r, const LateHeartbeat& l) {
    Row row("late", r);
    row[kDeviceId] = l.device_id;
    row[kHostname] = l.hostname;
    row[kActiveMinutes] = std::to_string(l.device_active_minutes);
    row[kHeartbeats] = std::to_string(l.heartbeats);
    row[kLastSeen] = pairing::format_rfc3339(l.received_at);
    row[kFirstSeen] = pairing::format_rfc3339(l.start);
    row[kRelated] = join(l.users);
    return row;
}

}  // namespace

void write_usage_csv(const UsageReport& r, std::ostream& out, const RowProgress& progress) {
    write_usage_csv(r, InMemoryRows(r), out, progress);
}

void write_usage_csv(const UsageReport& r, const ReportRows& rows_of, std::ostream& out,
                     const RowProgress& progress) {
    out << csv_row(std::vector<std::string>(kHeader.begin(), kHeader.end()));
    out << csv_row(summary_row(r).f);
    for (const auto& p : r.summary.packages) {
        out << csv_row(package_row(r, p).f);
    }
    std::size_t rows = 0;
    const auto tick = [&] {
        if (progress) {
            progress(++rows);
        }
    };
    rows_of.each_device([&](const DeviceReportRow& dr) {
        out << csv_row(device_row(r, dr).f);
        tick();
    });
    rows_of.each_user([&](const billing::UserBilling& u) {
        out << csv_row(user_row(r, u).f);
        tick();
    });
    for (const auto& l : r.late) {
        out << csv_row(late_row(r, l).f);
        tick();
    }
}

std::string usage_to_csv(const UsageReport& r) {
    std::ostringstream out;
    write_usage_csv(r, out);
    return std::move(out).str();
}

}  // namespace tally::server
