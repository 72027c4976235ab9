// MacMachineFingerprint: IOServiceGetMatchingService("IOPlatformExpertDevice") →
// IOPlatformUUID.

#include "platform/macos/macos_machine_fingerprint.h"

#include <IOKit/IOKitKeys.h>

#include "platform/macos/io_registry.h"
#include "platform/macos/platform_uuid.h"

namespace tally::platform {

std::optional<std::string> read_platform_uuid() {
    // MACH_PORT_NULL: the default main port (see hid_idle_time.cpp); the matching
    // dictionary's reference is consumed by IOServiceGetMatchingService.
    IoObject expert(
        IOServiceGetMatchingService(MACH_PORT_NULL, IOServiceMatching("IOPlatformExpertDevice")));
    if (!expert)
        return std::nullopt;
    auto value = registry_property(expert.get(), kIOPlatformUUIDKey);
    if (!value || CFGetTypeID(value.get()) != CFStringGetTypeID())
        return std::nullopt;
    auto text = utf8_string(static_cast<CFStringRef>(value.get()));
    if (!text)
        return std::nullopt;
    return normalize_platform_uuid(*text);
}

std::string MacMachineFingerprint::fingerprint() const {
    return platform_uuid_fingerprint(read_platform_uuid());
}

std::string MacMachineFingerprint::describe() const {
    return read_platform_uuid() ? "io-platform-uuid" : "none";
}

}  // namespace tally::platform
