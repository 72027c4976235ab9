#pragma once
// `tally-agent retire` (DESIGN.md §4, PROTOCOL.md §6): what the spool holds is uploaded first
// (within a short limit), then a signed POST /v1/retire, after which
// the server keeps the device for audit and never bills it again. On success (or when the
// server already answers 410: retired or revoked) identity.json records retired_at and the
// agent's state is `retired` from then on.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/config.h"
#include "agent/identity/identity.h"
#include "agent/interfaces/platform.h"
#include "pairing/result.h"

namespace tally::agent {

struct RetireDeps {
    SignedSender& sender;
    FileSystem& files;
    std::int64_t now = 0;
    //! > 0: first upload what the spool holds within this limit (retire_upload.h), so the
    //! last active hours are billed; 0: retire only (a running agent uploads its own spool).
    std::chrono::seconds upload_limit{0};
};

//! Error codes: not_paired, key, transport error names, the server's error code.
Result<Identity> retire_device(const Config& config, const std::filesystem::path& state_dir,
                               const std::string& reason, RetireDeps& deps);

}  // namespace tally::agent
