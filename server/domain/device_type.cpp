// Device type and role (see device_type.h).

#include "server/domain/device_type.h"

namespace tally::server::domain {

std::optional<DeviceType> parse_device_type(std::string_view text) {
    if (text == "business") {
        return DeviceType::business;
    }
    if (text == "personal") {
        return DeviceType::personal;
    }
    return std::nullopt;
}

std::string_view to_string(DeviceType type) {
    return type == DeviceType::business ? "business" : "personal";
}

std::optional<DeviceRole> parse_device_role(std::string_view text) {
    for (const auto role : {DeviceRole::workstation, DeviceRole::server, DeviceRole::kiosk}) {
        if (text == to_string(role)) {
            return role;
        }
    }
    return std::nullopt;
}

std::string_view to_string(DeviceRole role) {
    switch (role) {
        case DeviceRole::workstation:
            return "workstation";
        case DeviceRole::server:
            return "server";
        case DeviceRole::kiosk:
            return "kiosk";
    }
    return "workstation";
}

}  // namespace tally::server::domain
