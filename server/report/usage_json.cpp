// Usage report → JSON (see usage_json.h; the shape is documented in REPORT.md).

#include "server/report/usage_json.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "pairing/time_format.h"

namespace tally::server {
namespace {

using nlohmann::ordered_json;

ordered_json time_or_null(const std::optional<std::int64_t>& t) {
    return t ? ordered_json(pairing::format_rfc3339(*t)) : ordered_json(nullptr);
}

ordered_json summary_json(const UsageSummary& s) {
    ordered_json j;
    j["active_devices"] = s.active_devices;
    j["active_users"] = s.active_users;
    j["standalone_devices"] = s.standalone_devices;
    j["overflow_devices"] = s.overflow_devices;
    j["billable_units"] = s.billable_units;
    j["reported_units"] = s.reported_units;
    j["packages"] = ordered_json::array();
    for (const auto& p : s.packages) {
        j["packages"].push_back({{"package", p.package},
                                 {"active_users", p.active_users},
                                 {"standalone_devices", p.standalone_devices},
                                 {"billable_units", p.billable_units}});
    }
    j["tenant_status"] = s.tenant_status;
    j["trial"] = s.trial;
    j["trial_end"] = time_or_null(s.trial_end);
    j["inactive_since"] = time_or_null(s.inactive_since);
    j["billable_from"] = time_or_null(s.billable_from);
    j["billable_to"] = time_or_null(s.billable_to);
    j["time_zone"] = s.time_zone;
    j["month_start"] = pairing::format_rfc3339(s.month_start);
    j["month_end"] = pairing::format_rfc3339(s.month_end);
    j["closes_at"] = pairing::format_rfc3339(s.closes_at);
    j["closed"] = s.closed;
    j["late_adjustments"] = s.late_adjustments;
    j["late_units_delta"] = s.late_units_delta;
    return j;
}

ordered_json device_json(const DeviceReportRow& row) {
    const auto& d = row.usage.device;
    const auto& b = row.billing;
    ordered_json j;
    j["device_id"] = d.id;
    j["hostname"] = d.facts.hostname;
    j["device_type"] = d.facts.device_type;
    j["role"] = d.facts.role;
    j["active"] = row.active;
    j["billed_as"] = std::string(billing::to_string(b.billed_as));
    j["package"] = b.package.empty() ? ordered_json(nullptr) : ordered_json(b.package);
    j["paired_user"] = b.paired_user.empty() ? ordered_json(nullptr) : ordered_json(b.paired_user);
    j["paired_by"] = b.paired_by.empty() ? ordered_json(nullptr) : ordered_json(b.paired_by);
    j["active_minutes"] = row.usage.active_minutes;
    j["active_days"] = row.usage.active_days;
    j["heartbeats"] = row.usage.heartbeats;
    j["last_seq"] = d.last_seq;
    j["last_seen"] = time_or_null(d.last_seen);
    j["users"] = row.usage.users;
    j["retired"] = d.retired_at.has_value();
    j["suspected_clone"] = d.suspected_clone;
    // Reconciliation with the agent (heartbeats + gaps + held should cover 1..last_seq).
    const auto& e = row.usage.evidence;
    j["gaps"] = e.gap_seqs;
    j["forks"] = e.forks;
    j["chain_breaks"] = e.chain_breaks;
    j["held_out_of_window"] = e.held;
    ordered_json flags = ordered_json::array();
    if (d.suspected_clone) {
        flags.push_back("suspected_clone");
    }
    if (e.chain_breaks > 0) {
        flags.push_back("chain_break");
    }
    if (e.gap_seqs > 0) {
        flags.push_back("declared_gaps");
    }
    if (e.trust_on_first_use) {
        flags.push_back("trust_on_first_use");
    }
    if (e.revoked) {
        flags.push_back("revoked");
    } else if (d.retired_at) {
        flags.push_back("retired");
    }
    j["flags"] = std::move(flags);
    return j;
}

ordered_json user_json(const billing::UserBilling& u) {
    ordered_json j;
    j["principal"] = u.principal;
    j["local"] = u.local;
    if (u.local) {
        j["device_id"] = u.device_id;
    }
    j["group"] = u.group.empty() ? ordered_json(nullptr) : ordered_json(u.group);
    j["package"] = u.package;
    j["active_minutes"] = u.active_minutes;
    j["active_days"] = u.active_days;
    j["first_seen"] = pairing::format_rfc3339(u.first_seen);
    j["last_seen"] = pairing::format_rfc3339(u.last_seen);
    j["devices"] = u.devices;
    j["devices_paired"] = u.devices_paired;
    return j;
}

ordered_json late_json(const LateHeartbeat& l) {
    return {{"device_id", l.device_id},
            {"hostname", l.hostname},
            {"seq", l.seq},
            {"start", pairing::format_rfc3339(l.start)},
            {"received_at", pairing::format_rfc3339(l.received_at)},
            {"device_active_minutes", l.device_active_minutes},
            {"users", l.users}};
}

//! Writes the document piece by piece to `sink` (a callable taking std::string_view).
template <typename Sink>
void write_json(const UsageReport& r, Sink&& sink) {
    // The document is written as nlohmann's dump(2) would write it whole: each value dumped
    // on its own, its line breaks indented by its depth (JSON strings hold no raw newlines).
    const std::string_view spaces = "      ";
    const auto put = [&sink, spaces](const ordered_json& value, std::size_t depth) {
        // replace: a principal with invalid UTF-8 must not make the report throw.
        const auto text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        const std::string_view view = text;
        std::size_t at = 0;
        for (auto nl = view.find('\n'); nl != std::string::npos; nl = view.find('\n', at)) {
            sink(view.substr(at, nl + 1 - at));
            sink(spaces.substr(0, depth));
            at = nl + 1;
        }
        sink(view.substr(at));
    };
    const auto out = [&sink](std::string_view text) { sink(text); };
    const auto key = [&](std::string_view name) {
        out("  ");
        put(ordered_json(name), 0);
        out(": ");
    };
    const auto array = [&](std::string_view name, const auto& items, const auto& to_json,
                           bool last) {
        key(name);
        if (items.empty()) {
            out("[]");
        } else {
            out("[\n");
            bool first = true;
            for (const auto& item : items) {
                out(first ? "    " : ",\n    ");
                first = false;
                put(to_json(item), 4);
            }
            out("\n  ]");
        }
        out(last ? "\n" : ",\n");
    };
    out("{\n");
    key("tenant");
    put(r.tenant, 2);
    out(",\n");
    key("month");
    put(r.month, 2);
    out(",\n");
    key("generated_at");
    put(pairing::format_rfc3339(r.generated_at), 2);
    out(",\n");
    key("summary");
    put(summary_json(r.summary), 2);
    out(",\n");
    array("devices", r.devices, device_json, false);
    array("users", r.users, user_json, false);
    array("late_adjustments", r.late, late_json, true);
    out("}\n");
}

}  // namespace

std::string usage_to_json(const UsageReport& r) {
    std::string text;
    // One allocation for most reports: a device is ~740 bytes, a user ~400.
    text.reserve(4096 + 800 * r.devices.size() + 450 * r.users.size() + 400 * r.late.size());
    write_json(r, [&text](std::string_view piece) { text.append(piece); });
    return text;
}

void write_usage_json(const UsageReport& r, std::ostream& out) {
    write_json(r, [&out](std::string_view piece) {
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    });
}

}  // namespace tally::server
