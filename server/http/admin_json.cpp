// Admin API JSON (see admin_json.h).

#include "server/http/admin_json.h"

#include <utility>
#include <vector>

#include "pairing/time_format.h"
#include "server/billing/tenant_status.h"
#include "server/domain/error_code.h"

namespace tally::server::admin_json {
namespace {

Error bad_request(std::string message) {
    return domain::make_error(domain::ErrorCode::bad_request, std::move(message));
}

}  // namespace

Result<json> body(const Request& req) {
    if (req.body.empty()) {
        return json::object();
    }
    auto doc = json::parse(req.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return bad_request("the body must be a JSON object");
    }
    return doc;
}

Result<std::string> str_field(const json& doc, const char* name) {
    const auto it = doc.find(name);
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty() ||
        it->get<std::string>().size() > 256) {
        return bad_request(std::string("field '") + name + "' must be a non-empty string");
    }
    return it->get<std::string>();
}

Result<billing::Options> policy_options(const json& doc) {
    static const std::vector<std::pair<std::string, std::string>> kFields = {
        {"time_zone", "time-zone"},
        {"count_devices_by", "count-devices-by"},
        {"default_package", "default-package"},
        {"trial_end", "trial-end"},
        {"at", "at"}};
    billing::Options o;
    for (const auto& [field, option] : kFields) {
        if (const auto it = doc.find(field); it != doc.end()) {
            if (!it->is_string()) {
                return bad_request("field '" + field + "' must be a string");
            }
            o[option] = it->get<std::string>();
        }
    }
    if (const auto it = doc.find("grace_hours"); it != doc.end()) {
        if (!it->is_number_integer()) {
            return bad_request("field 'grace_hours' must be an integer");
        }
        o["grace-hours"] = std::to_string(it->get<std::int64_t>());
    }
    return o;
}

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
