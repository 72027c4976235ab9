#pragma once
// A device's billing type (DESIGN.md §5 rule 2) and role (§3: a server or kiosk is active
// every minute), each with its one parse and print. The wire and the database keep the
// strings; code compares the enums.

#include <optional>
#include <string_view>

namespace tally::server::domain {

enum class DeviceType { business, personal };
enum class DeviceRole { workstation, server, kiosk };

std::optional<DeviceType> parse_device_type(std::string_view text);
std::string_view to_string(DeviceType type);

std::optional<DeviceRole> parse_device_role(std::string_view text);
std::string_view to_string(DeviceRole role);

}  // namespace tally::server::domain
