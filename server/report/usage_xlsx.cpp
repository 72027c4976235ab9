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
#include <thread>
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
                text(c, *s);
            } else if (const auto* n = std::get_if<std::int64_t>(&cell)) {
                number(c, *n);
            } else if (const auto* b = std::get_if<bool>(&cell)) {
                boolean(c, *b);
            } else if (const auto* t = std::get_if<Time>(&cell)) {
                time(c, t->t);
            }
            ++c;
        }
        ++row_;
    }
    // Cell by cell, without building a row (the large sheets): an empty cell is not written.
    void text(lxw_col_t c, const std::string& s) {
        worksheet_write_string(ws_, row_, c, s.c_str(), nullptr);
    }
    void text_or_empty(lxw_col_t c, const std::string& s) {
        if (!s.empty()) {
            text(c, s);
        }
    }
    void number(lxw_col_t c, std::int64_t n) {
        worksheet_write_number(ws_, row_, c, static_cast<double>(n), nullptr);
    }
    void boolean(lxw_col_t c, bool b) { worksheet_write_boolean(ws_, row_, c, b ? 1 : 0, nullptr); }
    void time(lxw_col_t c, std::int64_t t) {
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
    void opt_time(lxw_col_t c, const std::optional<std::int64_t>& t) {
        if (t) {
            time(c, *t);
        }
    }
    void next_row() { ++row_; }
    void finish() { worksheet_autofilter(ws_, 0, 0, row_ > 1 ? row_ - 1 : 0, columns_ - 1); }

  private:
    lxw_worksheet* ws_;
    lxw_format* header_;
    lxw_format* time_;
    lxw_row_t row_ = 0;
    lxw_col_t columns_ = 0;
};

Cell opt_time(const std::optional<std::int64_t>& t) {
    return t ? Cell(Time{*t}) : Cell();
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

void write_users(Sheet& users, const UsageReport& r) {
    users.header({"principal", "local", "device_id", "group", "package", "devices_paired",
                  "active_minutes", "active_days", "first_seen", "last_seen", "devices"});
    std::string buffer;
    for (const auto& u : r.users) {
        users.text(0, u.principal);
        users.boolean(1, u.local);
        if (u.local) {
            users.text(2, u.device_id);
        }
        users.text_or_empty(3, u.group);
        users.text(4, u.package);
        users.number(5, static_cast<std::int64_t>(u.devices_paired.size()));
        users.number(6, u.active_minutes);
        users.number(7, u.active_days);
        users.time(8, u.first_seen);
        users.time(9, u.last_seen);
        users.text(10, join(u.devices, buffer));
        users.next_row();
    }
    users.finish();
}

void write_devices(Sheet& devices, const UsageReport& r) {
    devices.header({"device_id", "hostname", "device_type", "role", "paired_user", "paired_by",
                    "billed_as", "package", "active", "active_minutes", "active_days", "heartbeats",
                    "last_seq", "last_seen", "users"});
    std::string buffer;
    std::string billed_as;
    for (const auto& dr : r.devices) {
        const auto& d = dr.usage.device;
        const auto& b = dr.billing;
        devices.text(0, d.id);
        devices.text(1, d.facts.hostname);
        devices.text(2, d.facts.device_type);
        devices.text(3, d.facts.role);
        devices.text_or_empty(4, b.paired_user);
        devices.text_or_empty(5, b.paired_by);
        billed_as = billing::to_string(b.billed_as);
        devices.text(6, billed_as);
        devices.text_or_empty(7, b.package);
        devices.boolean(8, dr.active);
        devices.number(9, dr.usage.active_minutes);
        devices.number(10, dr.usage.active_days);
        devices.number(11, dr.usage.heartbeats);
        devices.number(12, static_cast<std::int64_t>(d.last_seq));
        devices.opt_time(13, d.last_seen);
        devices.text(14, join(dr.usage.users, buffer));
        devices.next_row();
    }
    devices.finish();
}

void write_late(Sheet& late, const UsageReport& r) {
    late.header(
        {"device_id", "hostname", "seq", "start", "received_at", "device_active_minutes", "users"});
    std::string buffer;
    for (const auto& l : r.late) {
        late.text(0, l.device_id);
        late.text(1, l.hostname);
        late.number(2, static_cast<std::int64_t>(l.seq));
        late.time(3, l.start);
        late.time(4, l.received_at);
        late.number(5, l.device_active_minutes);
        late.text(6, join(l.users, buffer));
        late.next_row();
    }
    late.finish();
}

void write_sheets(lxw_workbook* wb, const UsageReport& r) {
    lxw_format* header = workbook_add_format(wb);
    format_set_bold(header);
    lxw_format* time = workbook_add_format(wb);
    format_set_num_format(time, "yyyy-mm-dd hh:mm:ss");
    const auto& s = r.summary;

    // constant_memory: each sheet is written top to bottom, row by row, to a file of its own.
    // The sheets are added in their order here, before any is written.
    Sheet summary(wb, "Summary", header, time);
    Sheet packages(wb, "Packages", header, time);
    Sheet users(wb, "Users", header, time);
    Sheet devices(wb, "Devices", header, time);
    Sheet late(wb, "Late adjustments", header, time);

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

    packages.header({"package", "active_users", "standalone_devices", "billable_units"});
    for (const auto& p : s.packages) {
        packages.row({p.package, p.active_users, p.standalone_devices, p.billable_units});
    }
    packages.finish();

    // The two large sheets are written at the same time, Devices on a thread of its own. Safe
    // in constant_memory mode: a worksheet writes only its own rows and file (strings inline,
    // no shared string table); the only shared objects are the two formats, whose index in
    // the workbook is assigned on first use — here, before the thread starts — and only read
    // after that.
    lxw_format_get_xf_index(header);
    lxw_format_get_xf_index(time);
    std::thread device_writer([&] { write_devices(devices, r); });
    write_users(users, r);
    write_late(late, r);
    device_writer.join();
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
