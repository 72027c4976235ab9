// Typed reading of an admin request's JSON body (see request_fields.h).

#include "server/http/request_fields.h"

#include <utility>
#include <vector>

#include "server/domain/error_code.h"

namespace tally::server {
namespace {

constexpr std::size_t kMaxFieldBytes = 256;

}  // namespace

RequestFields::RequestFields(const Request& req) : doc_(nlohmann::json::object()) {
    if (req.body.empty()) {
        return;
    }
    auto doc = nlohmann::json::parse(req.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        problem("the body must be a JSON object");
        return;
    }
    doc_ = std::move(doc);
}

void RequestFields::problem(std::string message) {
    if (!error_) {
        error_ = domain::make_error(domain::ErrorCode::bad_request, std::move(message));
    }
}

std::string RequestFields::required(const char* name) {
    const auto it = doc_.find(name);
    if (it == doc_.end() || !it->is_string() || it->get_ref<const std::string&>().empty() ||
        it->get_ref<const std::string&>().size() > kMaxFieldBytes) {
        problem(std::string("field '") + name + "' must be a non-empty string");
        return {};
    }
    return it->get<std::string>();
}

std::optional<std::string> RequestFields::optional(const char* name) {
    const auto it = doc_.find(name);
    if (it == doc_.end() || it->is_null()) {
        return std::nullopt;
    }
    return required(name);
}

billing::Options RequestFields::policy_options() {
    static const std::vector<std::pair<std::string, std::string>> kFields = {
        {"time_zone", "time-zone"},
        {"count_devices_by", "count-devices-by"},
        {"default_package", "default-package"},
        {"trial_end", "trial-end"},
        {"at", "at"}};
    billing::Options o;
    for (const auto& [field, option] : kFields) {
        if (const auto it = doc_.find(field); it != doc_.end()) {
            if (!it->is_string()) {
                problem("field '" + field + "' must be a string");
                continue;
            }
            o[option] = it->get<std::string>();
        }
    }
    if (const auto it = doc_.find("grace_hours"); it != doc_.end()) {
        if (!it->is_number_integer()) {
            problem("field 'grace_hours' must be an integer");
        } else {
            o["grace-hours"] = std::to_string(it->get<std::int64_t>());
        }
    }
    return o;
}

Result<void> RequestFields::check() const {
    if (error_) {
        return *error_;
    }
    return {};
}

}  // namespace tally::server
