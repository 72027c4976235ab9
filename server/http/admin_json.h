#pragma once
// The admin API's JSON answers (request bodies are read by request_fields.h). Shared by the
// admin route files.

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

json opt_time(const std::optional<std::int64_t>& t);
json tenant(const TenantSettings& t, std::int64_t now);
json device(const application::DeviceView& v);
json user(const application::UserView& u);
void ok(Response& res, const json& doc);

}  // namespace tally::server::admin_json
