// Admin API JSON (see admin_json.h).

#include "server/http/admin_json.h"

#include "pairing/time_format.h"
#include "server/billing/tenant_status.h"

namespace tally::server::admin_json {

json opt_time(const std::optional<std::int64_t>& t) {
    return t ? json(pairing::format_rfc3339(*t)) : json(nullptr);
}

json tenant(const TenantSettings& t, std::int64_t now) {
    return {{"name", t.name},
            {"status", billing::effective_status(t, now)},
            {"trial_end", opt_time(t.trial_end)},
            {"inactive_since", opt_time(t.inactive_since)},
            {"time_zone", t.time_zone},
            {"count_devices_by", t.count_devices_by},
            {"default_package", t.default_package},
            {"grace_hours", t.grace_hours},
            {"created_at", pairing::format_rfc3339(t.created_at)}};
}

json device(const application::DeviceView& v) {
    const auto& d = v.device;
    return {{"device_id", d.id},
            {"hostname", d.facts.hostname},
            {"device_type", d.facts.device_type},
            {"role", d.facts.role},
            {"assigned_user", v.assigned_user ? json(*v.assigned_user) : json(nullptr)},
            {"retired", d.retired_at.has_value()},
            {"state", domain::to_string(v.state)},
            {"last_seq", d.last_seq},
            {"last_seen", opt_time(d.last_seen)}};
}

json user(const application::UserView& u) {
    return {{"user_key", u.key},
            {"principal", u.principal},
            {"local", u.local},
            {"first_seen", pairing::format_rfc3339(u.first_seen)},
            {"last_signal", pairing::format_rfc3339(u.last_signal)},
            {"status", application::to_string(u.status)},
            {"merged_into", u.merged_into ? json(*u.merged_into) : json(nullptr)}};
}

void ok(Response& res, const json& doc) {
    res.status = 200;
    res.set_content(doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                    "application/json");
}

}  // namespace tally::server::admin_json
