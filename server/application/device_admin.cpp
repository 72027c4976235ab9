// Device use cases (see device_admin.h).

#include "server/application/device_admin.h"

#include "server/billing/user_key.h"
#include "server/domain/device_type.h"
#include "server/domain/error_code.h"

namespace tally::server::application {

using domain::DeviceEvent;
using domain::ErrorCode;

Result<std::vector<DeviceView>> DeviceAdmin::list(std::string_view tenant) {
    auto devices = store_.list_devices(tenant);
    if (!devices) {
        return devices.error();
    }
    auto assigned = store_.device_assignments(tenant);
    if (!assigned) {
        return assigned.error();
    }
    std::vector<DeviceView> out;
    for (auto& d : *devices) {
        auto st = state(d);
        if (!st) {
            return st.error();
        }
        DeviceView v{std::move(d), *st, std::nullopt};
        for (const auto& a : *assigned) {
            if (a.device_id == v.device.id && a.user_key) {
                v.assigned_user = *a.user_key;
            }
        }
        out.push_back(std::move(v));
    }
    return out;
}

Result<Device> DeviceAdmin::find(const std::string& id, const std::optional<std::string>& tenant) {
    auto found = store_.find_device(id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return domain::make_error(ErrorCode::not_found, "unknown device '" + id + "'");
    }
    if (tenant && (*found)->tenant != *tenant) {
        return domain::make_error(ErrorCode::not_found,
                                  "no device '" + id + "' in tenant '" + *tenant + "'");
    }
    return **found;
}

Result<domain::DeviceState> DeviceAdmin::state(const Device& device) {
    if (!device.retired_at) {
        return domain::state_of(device, false);
    }
    auto evidence = store_.device_evidence(device.id);
    if (!evidence) {
        return evidence.error();
    }
    return domain::state_of(device, evidence->revoked);
}

Result<std::optional<std::string>> DeviceAdmin::assign_user(
    const Device& device, const std::optional<std::string>& principal, std::int64_t now) {
    std::optional<std::string> key;
    if (principal) {
        key = billing::user_key_from_admin(*principal);
    }
    if (auto r = store_.assign_device_user(device.id, key, now); !r) {
        return r.error();
    }
    return key;
}

Result<void> DeviceAdmin::set_type(const Device& device, std::string_view type, std::int64_t now) {
    const auto parsed = domain::parse_device_type(type);
    if (!parsed) {
        return domain::make_error(ErrorCode::bad_request, "type must be business or personal");
    }
    return store_.set_device_type(device.id, domain::to_string(*parsed), now);
}

Result<domain::Transition> DeviceAdmin::retire(const Device& device, std::string_view reason,
                                               std::int64_t now) {
    return end(device, DeviceEvent::retire, reason, now);
}

Result<domain::Transition> DeviceAdmin::revoke(const Device& device, std::int64_t now) {
    return end(device, DeviceEvent::revoke, "revoked", now);
}

Result<domain::Transition> DeviceAdmin::end(const Device& device, DeviceEvent event,
                                            std::string_view reason, std::int64_t now) {
    auto from = state(device);
    if (!from) {
        return from.error();
    }
    auto next = domain::transition(*from, event, device.id);
    if (!next) {
        return next.error();
    }
    if (next->changes) {
        if (auto r = store_.retire_device(device.id, reason, now); !r) {
            return r.error();
        }
    }
    return *next;
}

}  // namespace tally::server::application
