#pragma once
// The admin API's JSON: reading request bodies (fields named as DESIGN.md §6) and writing
// the answers. Shared by the admin route files.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pairing/result.h"
#include "server/application/device_admin.h"
#include "server/application/user_admin.h"
#include "server/billing/tenant_policy.h"
#include "server/front/message.h"

namespace tally::server::admin_json {

using nlohmann::json;

//! An empty body is {}; anything but a JSON object is bad_request.
Result<json> body(const Request& req);
//! A non-empty string of at most 256 bytes, else bad_request naming the field.
Result<std::string> str_field(const json& doc, const char* name);
//! JSON fields (snake_case) → the CLI-named options of billing/tenant_policy.h.
Result<billing::Options> policy_options(const json& doc);

json opt_time(const std::optional<std::int64_t>& t);
json tenant(const TenantSettings& t, std::int64_t now);
json device(const application::DeviceView& v);
json user(const application::UserView& u);
void ok(Response& res, const json& doc);

}  // namespace tally::server::admin_json
