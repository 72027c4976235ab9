#pragma once
// Identifies the machine a credential was made on, so a cloned disk image is noticed.

#include <string>

namespace tally::agent {

class MachineFingerprint {
  public:
    virtual ~MachineFingerprint() = default;
    //! Hex SHA-256 over the platform's stable identifiers (machine-id + DMI product UUID,
    //! MachineGuid + SMBIOS UUID, IOPlatformUUID). Empty if none can be read.
    virtual std::string fingerprint() const = 0;
    //! Which sources were used, for probe/status (never the raw identifiers).
    virtual std::string describe() const = 0;
};

}  // namespace tally::agent
