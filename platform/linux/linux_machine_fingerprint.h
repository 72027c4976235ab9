#pragma once
// agent::MachineFingerprint on Linux: SHA-256 over /etc/machine-id and the DMI product UUID
// (the latter is root-only; unreadable is fine). Paths come from the config for tests.

#include <filesystem>

#include "agent/interfaces/machine_fingerprint.h"

namespace tally::platform {

class LinuxMachineFingerprint : public agent::MachineFingerprint {
  public:
    //! Empty paths mean the OS defaults.
    LinuxMachineFingerprint(std::filesystem::path machine_id_path,
                            std::filesystem::path product_uuid_path);

    std::string fingerprint() const override;
    std::string describe() const override;

  private:
    std::filesystem::path machine_id_path_;
    std::filesystem::path product_uuid_path_;
};

}  // namespace tally::platform
