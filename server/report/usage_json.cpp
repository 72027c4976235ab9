// Usage report → JSON (see usage_json.h).

#include "server/report/usage_json.h"

#include <nlohmann/json.hpp>

#include "pairing/time_format.h"

namespace tally::server {

std::string usage_to_json(const UsageReport& r) {
    using nlohmann::ordered_json;
    ordered_json doc;
    doc["tenant"] = r.tenant;
    doc["month"] = r.month;
    doc["generated_at"] = pairing::format_rfc3339(r.generated_at);
    doc["summary"] = {{"active_devices", r.summary.active_devices},
                      {"active_users", r.summary.active_users},
                      {"standalone_devices", r.summary.standalone_devices},
                      {"billable_units", r.summary.billable_units}};
    doc["devices"] = ordered_json::array();
    for (const auto& row : r.devices) {
        const auto& d = row.usage.device;
        ordered_json j;
        j["device_id"] = d.id;
        j["hostname"] = d.facts.hostname;
        j["device_type"] = d.facts.device_type;
        j["role"] = d.facts.role;
        j["active"] = row.active;
        j["active_minutes"] = row.usage.active_minutes;
        j["active_days"] = row.usage.active_days;
        j["heartbeats"] = row.usage.heartbeats;
        j["last_seq"] = d.last_seq;
        j["last_seen"] = d.last_seen ? ordered_json(pairing::format_rfc3339(*d.last_seen))
                                     : ordered_json(nullptr);
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
        if (e.revoked) {
            flags.push_back("revoked");
        } else if (d.retired_at) {
            flags.push_back("retired");
        }
        j["flags"] = std::move(flags);
        doc["devices"].push_back(std::move(j));
    }
    doc["users"] = ordered_json::array();
    for (const auto& u : r.users) {
        ordered_json j;
        j["principal"] = u.principal;
        j["local"] = u.local;
        if (u.local) {
            j["device_id"] = u.device_id;
        }
        j["active_minutes"] = u.active_minutes;
        j["active_days"] = u.active_days;
        j["devices"] = u.devices;
        doc["users"].push_back(std::move(j));
    }
    // replace: a principal with invalid UTF-8 must not make the report throw.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace tally::server
