#pragma once
// agent::MachineFingerprint on macOS: IOPlatformUUID, the hardware UUID of the logic board
// (a VM gets its own per VM configuration), hashed (platform_uuid.h).

#include <optional>
#include <string>

#include "agent/interfaces/machine_fingerprint.h"

namespace tally::platform {

//! IOPlatformExpertDevice's kIOPlatformUUIDKey, normalized; nullopt when unreadable or bogus.
std::optional<std::string> read_platform_uuid();

class MacMachineFingerprint : public agent::MachineFingerprint {
  public:
    std::string fingerprint() const override;
    std::string describe() const override;
};

}  // namespace tally::platform
