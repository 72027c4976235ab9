#pragma once
// The device's identity after pairing: <state>/identity.json, owner-only (0600). The private
// key is not here (KeyStore holds it); this says who the device is and where it reports. It
// keeps the pairing code so that a copy of this state on another machine (a golden image, a
// cloned VM) can pair afresh as a new device; the code is never logged or printed.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "agent/interfaces/file_system.h"
#include "pairing/result.h"

namespace tally::agent {

struct Identity {
    std::string device_id;
    std::string tenant;
    std::string server_url;
    std::string ca_file;
    std::string device_type;
    std::string fingerprint;  //!< hex SHA-256 of the machine when paired (clone detection)
    std::int64_t paired_at = 0;
    std::string pinned_spki_sha256;  //!< hex; empty: no pin
    std::string pairing_code;        //!< canonical; secret: never log it
    std::int64_t retired_at = 0;     //!< `tally-agent retire` succeeded; 0: not retired
};

std::filesystem::path identity_path(const std::filesystem::path& state_dir);

//! nullopt when the device was never paired; an error when the file is unreadable (or, on
//! POSIX, reached through a symbolic link: FileSystem::read_file).
Result<std::optional<Identity>> load_identity(const FileSystem& fs,
                                              const std::filesystem::path& state_dir);
Result<void> save_identity(FileSystem& fs, const std::filesystem::path& state_dir,
                           const Identity& identity);

}  // namespace tally::agent
