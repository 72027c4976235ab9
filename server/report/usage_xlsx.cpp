// Usage report → XLSX (see usage_xlsx.h). libxlsxwriter writes to a file, so the workbook
// goes to a private temporary file that is read back and removed.

#include "server/report/usage_xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <variant>
#include <vector>

#include "pairing/time_format.h"

namespace tally::server {
namespace {

struct Time {
    std::int64_t t;
};
using Cell = std::variant<std::monostate, std::string, std::int64_t, bool, Time>;

class Sheet {
  public:
    Sheet(lxw_workbook* wb, const char* name, lxw_format* header, lxw_format* time)
        : ws_(workbook_add_worksheet(wb, name)), header_(header), time_(time) {}

    void header(const std::vector<std::string>& names) {
        columns_ = static_cast<lxw_col_t>(names.size());
        worksheet_freeze_panes(ws_, 1, 0);
        for (lxw_col_t c = 0; c < columns_; ++c) {
            worksheet_set_column(ws_, c, c, names[c].size() < 12 ? 14 : 22, nullptr);
            worksheet_write_string(ws_, 0, c, names[c].c_str(), header_);
        }
        row_ = 1;
    }
    void row(const std::vector<Cell>& cells) {
        lxw_col_t c = 0;
        for (const auto& cell : cells) {
            if (const auto* s = std::get_if<std::string>(&cell)) {
                worksheet_write_string(ws_, row_, c, s->c_str(), nullptr);
            } else if (const auto* n = std::get_if<std::int64_t>(&cell)) {
                worksheet_write_number(ws_, row_, c, static_cast<double>(*n), nullptr);
            } else if (const auto* b = std::get_if<bool>(&cell)) {
                worksheet_write_boolean(ws_, row_, c, *b ? 1 : 0, nullptr);
            } else if (const auto* t = std::get_if<Time>(&cell)) {
                write_time(c, t->t);
            }
            ++c;
        }
        ++row_;
    }
    void finish() { worksheet_autofilter(ws_, 0, 0, row_ > 1 ? row_ - 1 : 0, columns_ - 1); }

  private:
    void write_time(lxw_col_t c, std::int64_t t) {
        const auto days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
        const auto secs = t - days * 86400;
        int y = 0;
        unsigned m = 0;
        unsigned d = 0;
        pairing::civil_from_days(days, y, m, d);
        lxw_datetime dt{y,
                        static_cast<int>(m),
                        static_cast<int>(d),
                        static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60),
                        static_cast<double>(secs % 60)};
        worksheet_write_datetime(ws_, row_, c, &dt, time_);
    }

    lxw_worksheet* ws_;
    lxw_format* header_;
    lxw_format* time_;
    lxw_row_t row_ = 0;
    lxw_col_t columns_ = 0;
};

Cell opt_time(const std::optional<std::int64_t>& t) {
    return t ? Cell(Time{*t}) : Cell();
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ";") + item;
    }
    return out;
}

void write_sheets(lxw_workbook* wb, const UsageReport& r) {
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    lxw_format* time = workbook_add_format(wb);
    format_set_num_format(time, "yyyy-mm-dd hh:mm:ss");
    const auto& s = r.summary;

    // constant_memory: each sheet is written top to bottom, row by row.
    Sheet summary(wb, "Summary", header, time);
    summary.header({"field", "value"});
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
        {"late_units_delta", s.late_units_delta}};
    for (const auto& [name, value] : fields) {
        summary.row({name, value});
    }
    summary.finish();

    Sheet packages(wb, "Packages", header, time);
    packages.header({"package", "active_users", "standalone_devices", "billable_units"});
    for (const auto& p : s.packages) {
        packages.row({p.package, p.active_users, p.standalone_devices, p.billable_units});
    }
    packages.finish();

    Sheet users(wb, "Users", header, time);
    users.header({"principal", "local", "device_id", "group", "package", "devices_paired",
                  "active_minutes", "active_days", "first_seen", "last_seen", "devices"});
    for (const auto& u : r.users) {
        users.row({u.principal, u.local, u.local ? Cell(u.device_id) : Cell(),
                   u.group.empty() ? Cell() : Cell(u.group), u.package,
                   static_cast<std::int64_t>(u.devices_paired.size()), u.active_minutes,
                   u.active_days, Time{u.first_seen}, Time{u.last_seen}, join(u.devices)});
    }
    users.finish();

    Sheet devices(wb, "Devices", header, time);
    devices.header({"device_id", "hostname", "device_type", "role", "paired_user", "paired_by",
                    "billed_as", "package", "active", "active_minutes", "active_days", "heartbeats",
                    "last_seq", "last_seen", "users"});
    for (const auto& dr : r.devices) {
        const auto& d = dr.usage.device;
        const auto& b = dr.billing;
        devices.row({d.id, d.facts.hostname, d.facts.device_type, d.facts.role,
                     b.paired_user.empty() ? Cell() : Cell(b.paired_user),
                     b.paired_by.empty() ? Cell() : Cell(b.paired_by),
                     std::string(billing::to_string(b.billed_as)),
                     b.package.empty() ? Cell() : Cell(b.package), dr.active,
                     dr.usage.active_minutes, dr.usage.active_days, dr.usage.heartbeats,
                     static_cast<std::int64_t>(d.last_seq), opt_time(d.last_seen),
                     join(dr.usage.users)});
    }
    devices.finish();

    Sheet late(wb, "Late adjustments", header, time);
    late.header(
        {"device_id", "hostname", "seq", "start", "received_at", "device_active_minutes", "users"});
    for (const auto& l : r.late) {
        late.row({l.device_id, l.hostname, static_cast<std::int64_t>(l.seq), Time{l.start},
                  Time{l.received_at}, l.device_active_minutes, join(l.users)});
    }
    late.finish();
}

}  // namespace

Result<std::string> usage_to_xlsx(const UsageReport& report) {
    const char* env_tmp = std::getenv("TMPDIR");
    std::string dir = env_tmp && *env_tmp ? env_tmp : "/tmp";
    std::string path = dir + "/tally-report-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
        return make_error("io", "cannot create a temporary file in " + dir);
    }
    ::close(fd);
    struct Remove {
        std::string path;
        ~Remove() {
            std::error_code ec;
            std::filesystem::remove(path, ec);
        }
    } remove{path};

    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = dir.data();
    lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
    if (wb == nullptr) {
        return make_error("xlsx", "libxlsxwriter could not start a workbook");
    }
    write_sheets(wb, report);
    if (const auto err = workbook_close(wb); err != LXW_NO_ERROR) {
        return make_error("xlsx", std::string("libxlsxwriter: ") + lxw_strerror(err));
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
        return make_error("io", "cannot read back " + path);
    }
    return bytes.str();
}

}  // namespace tally::server
