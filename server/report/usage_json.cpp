// Usage report → JSON (see usage_json.h; the shape is documented in REPORT.md).

#include "server/report/usage_json.h"

#include <nlohmann/json.hpp>

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

}  // namespace

std::string usage_to_json(const UsageReport& r) {
    ordered_json doc;
    doc["tenant"] = r.tenant;
    doc["month"] = r.month;
    doc["generated_at"] = pairing::format_rfc3339(r.generated_at);
    doc["summary"] = summary_json(r.summary);
    doc["devices"] = ordered_json::array();
    for (const auto& row : r.devices) {
        doc["devices"].push_back(device_json(row));
    }
    doc["users"] = ordered_json::array();
    for (const auto& u : r.users) {
        doc["users"].push_back(user_json(u));
    }
    doc["late_adjustments"] = ordered_json::array();
    for (const auto& l : r.late) {
        doc["late_adjustments"].push_back({{"device_id", l.device_id},
                                           {"hostname", l.hostname},
                                           {"seq", l.seq},
                                           {"start", pairing::format_rfc3339(l.start)},
                                           {"received_at", pairing::format_rfc3339(l.received_at)},
                                           {"device_active_minutes", l.device_active_minutes},
                                           {"users", l.users}});
    }
    // replace: a principal with invalid UTF-8 must not make the report throw.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tally::server
