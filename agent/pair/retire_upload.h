#pragma once
// Before `tally-agent retire`: send what the spool still holds, so the device's last active
// hours are billed (the service is stopped first by the installers; a final upload it could
// not finish is left in the spool). Batch by batch, within a short limit; never a reason not
// to retire: what could not be sent is reported and retire goes on.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/config.h"
#include "agent/identity/identity.h"
#include "agent/interfaces/file_system.h"
#include "agent/interfaces/signed_sender.h"

namespace tally::agent {

//! What retire's upload did.
struct SpoolFlush {
    std::uint64_t sent = 0;  //!< heartbeats the server acknowledged
    std::uint64_t left = 0;  //!< heartbeats still in the spool
    std::string error;       //!< why it stopped early; empty when the spool was emptied
};

inline constexpr std::chrono::seconds kRetireUploadLimit{20};

SpoolFlush upload_before_retire(const Identity& id, const Config& config,
                                const std::filesystem::path& state_dir, SignedSender& sender,
                                FileSystem& files, std::chrono::seconds limit);

}  // namespace tally::agent
