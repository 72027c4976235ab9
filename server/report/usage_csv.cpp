// Usage report → CSV (see usage_csv.h).

#include "server/report/usage_csv.h"

#include <array>
#include <charconv>
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

//! `items` joined by ';' into `out`.
void join(std::string& out, const std::vector<std::string>& items) {
    out.clear();
    for (const auto& item : items) {
        if (!out.empty()) {
            out += ';';
        }
        out += item;
    }
}

const char* flag(bool b) {
    return b ? "true" : "false";
}

std::string time_text(const std::optional<std::int64_t>& t) {
    return t ? pairing::format_rfc3339(*t) : "";
}

//! One CSV row's fields; a writer reuses one Row for every row (reset keeps the strings'
//! storage: no allocation per field once the longest values have been seen).
class Row {
  public:
    explicit Row(const UsageReport& r) {
        f_[kTenant] = r.tenant;
        f_[kMonth] = r.month;
    }
    //! Every field empty but the tenant and the month; the row's type set.
    Row& reset(const char* type) {
        for (std::size_t i = kMonth + 1; i < f_.size(); ++i) {
            f_[i].clear();
        }
        f_[kRowType] = type;
        return *this;
    }
    std::string& operator[](Col c) { return f_[static_cast<std::size_t>(c)]; }
    const std::vector<std::string>& fields() const { return f_; }

  private:
    std::vector<std::string> f_ = std::vector<std::string>(kColumns);
};

//! `row[c]` = the decimal text of `v`, without a temporary string.
void number(Row& row, Col c, std::int64_t v) {
    std::array<char, 24> buf{};
    const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    row[c].assign(buf.data(), end);
}

void summary_row(Row& row, const UsageReport& r) {
    const auto& s = r.summary;
    row.reset("summary");
    number(row, kActiveDevices, s.active_devices);
    number(row, kActiveUsers, s.active_users);
    number(row, kStandalone, s.standalone_devices);
    number(row, kBillable, s.billable_units);
    row[kTrial] = flag(s.trial);
    row[kClosed] = flag(s.closed);
    number(row, kLate, s.late_adjustments);
    number(row, kReported, s.reported_units);
    number(row, kInactiveSpanHeartbeats, s.inactive_span_heartbeats);
}

void package_row(Row& row, const billing::PackageUnits& p) {
    row.reset("package");
    row[kPackage] = p.package;
    number(row, kActiveUsers, p.active_users);
    number(row, kStandalone, p.standalone_devices);
    number(row, kBillable, p.billable_units);
}

void device_row(Row& row, const DeviceReportRow& dr) {
    const auto& d = dr.usage.device;
    row.reset("device");
    row[kDeviceId] = d.id;
    row[kHostname] = d.facts.hostname;
    row[kDeviceType] = d.facts.device_type;
    row[kRole] = d.facts.role;
    row[kActive] = flag(dr.active);
    number(row, kActiveMinutes, dr.usage.active_minutes);
    number(row, kActiveDays, dr.usage.active_days);
    number(row, kHeartbeats, dr.usage.heartbeats);
    number(row, kLastSeq, static_cast<std::int64_t>(d.last_seq));
    row[kLastSeen] = time_text(d.last_seen);
    join(row[kRelated], dr.usage.users);
    row[kBilledAs] = billing::to_string(dr.billing.billed_as);
    row[kPackage] = dr.billing.package;
    row[kPairedUser] = dr.billing.paired_user;
    row[kCoveredBy] = dr.billing.covered_by;
    row[kRetiredAt] = time_text(d.retired_at);
    number(row, kInactiveSpanHeartbeats, dr.inactive_span_heartbeats);
    row[kExplanation] = dr.explanation;
}

void user_row(Row& row, const billing::UserBilling& u) {
    row.reset("user");
    if (u.local) {
        row[kDeviceId] = u.device_id;
    }
    row[kPrincipal] = u.principal;
    row[kLocal] = flag(u.local);
    row[kActive] = "true";
    number(row, kActiveMinutes, u.active_minutes);
    number(row, kActiveDays, u.active_days);
    row[kLastSeen] = pairing::format_rfc3339(u.last_seen);
    join(row[kRelated], u.devices);
    row[kPackage] = u.package;
    row[kFirstSeen] = pairing::format_rfc3339(u.first_seen);
}

void late_row(Row& row, const LateHeartbeat& l) {
    row.reset("late");
    row[kDeviceId] = l.device_id;
    row[kHostname] = l.hostname;
    number(row, kActiveMinutes, l.device_active_minutes);
    number(row, kHeartbeats, l.heartbeats);
    row[kLastSeen] = pairing::format_rfc3339(l.received_at);
    row[kFirstSeen] = pairing::format_rfc3339(l.start);
    join(row[kRelated], l.users);
}

//! The size of the pieces the rows are written in (one write per row would be one system
//! call per row: a stream writes a large piece through, unbuffered).
constexpr std::size_t kPiece = 64 * 1024;

}  // namespace

void write_usage_csv(const UsageReport& r, std::ostream& out, const RowProgress& progress) {
    write_usage_csv(r, InMemoryRows(r), out, progress);
}

void write_usage_csv(const UsageReport& r, const ReportRows& rows_of, std::ostream& out,
                     const RowProgress& progress) {
    std::string text;
    text.reserve(kPiece + 4096);
    append_csv_row(text, std::vector<std::string>(kHeader.begin(), kHeader.end()));
    Row row(r);
    summary_row(row, r);
    append_csv_row(text, row.fields());
    for (const auto& p : r.summary.packages) {
        package_row(row, p);
        append_csv_row(text, row.fields());
    }
    std::size_t rows = 0;
    const auto put = [&] {
        append_csv_row(text, row.fields());
        if (text.size() >= kPiece) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
        if (progress) {
            progress(++rows);
        }
    };
    rows_of.each_device([&](const DeviceReportRow& dr) {
        device_row(row, dr);
        put();
    });
    rows_of.each_user([&](const billing::UserBilling& u) {
        user_row(row, u);
        put();
    });
    for (const auto& l : r.late) {
        late_row(row, l);
        put();
    }
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::string usage_to_csv(const UsageReport& r) {
    std::ostringstream out;
    write_usage_csv(r, out);
    return std::move(out).str();
}

}  // namespace tally::server
