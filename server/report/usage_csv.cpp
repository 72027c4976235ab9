// Usage report → CSV (see usage_csv.h).

#include "server/report/usage_csv.h"

#include "pairing/time_format.h"
#include "server/report/csv_writer.h"

namespace tally::server {
namespace {

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

}  // namespace

std::string usage_to_csv(const UsageReport& r) {
    std::string out = csv_row({"row_type",
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
                               "billable_units"});
    const auto& s = r.summary;
    out += csv_row({"summary",
                    r.tenant,
                    r.month,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    std::to_string(s.active_devices),
                    std::to_string(s.active_users),
                    std::to_string(s.standalone_devices),
                    std::to_string(s.billable_units)});
    for (const auto& row : r.devices) {
        const auto& d = row.usage.device;
        out += csv_row({"device",
                        r.tenant,
                        r.month,
                        d.id,
                        d.facts.hostname,
                        d.facts.device_type,
                        d.facts.role,
                        "",
                        "",
                        flag(row.active),
                        std::to_string(row.usage.active_minutes),
                        std::to_string(row.usage.active_days),
                        std::to_string(row.usage.heartbeats),
                        std::to_string(d.last_seq),
                        d.last_seen ? pairing::format_rfc3339(*d.last_seen) : "",
                        join(row.usage.users),
                        "",
                        "",
                        "",
                        ""});
    }
    for (const auto& u : r.users) {
        out += csv_row({"user",
                        r.tenant,
                        r.month,
                        u.local ? u.device_id : "",
                        "",
                        "",
                        "",
                        u.principal,
                        flag(u.local),
                        "true",
                        std::to_string(u.active_minutes),
                        std::to_string(u.active_days),
                        "",
                        "",
                        "",
                        join(u.devices),
                        "",
                        "",
                        "",
                        ""});
    }
    return out;
}

}  // namespace tally::server
