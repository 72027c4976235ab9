#pragma once
// agent::MachineFingerprint on Windows: SHA-256 over MachineGuid (value of the key
// HKLM SOFTWARE/Microsoft/Cryptography, reset by sysprep) and the SMBIOS system UUID (GetSystemFirmwareTable 'RSMB').

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "agent/interfaces/machine_fingerprint.h"

namespace tally::platform {

//! The system UUID (SMBIOS type 1) from a raw 'RSMB' table (RawSMBIOSData header + table),
//! lower-case 8-4-4-4-12 as Windows shows it (first three fields little-endian); nullopt
//! when absent or all 00/FF (not set by the vendor).
std::optional<std::string> smbios_system_uuid(std::span<const std::uint8_t> rsmb);

//! Labelled input hashed to the fingerprint (shared with tests).
std::string windows_fingerprint_of(const std::optional<std::string>& machine_guid,
                                   const std::optional<std::string>& smbios_uuid);

class WindowsMachineFingerprint : public agent::MachineFingerprint {
  public:
    std::string fingerprint() const override;
    std::string describe() const override;
};

}  // namespace tally::platform
