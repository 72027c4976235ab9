#pragma once
// `tally-agent export`: the heartbeats of a time range, with the gaps between them, signed
// by the device key into a bundle file (pairing/bundle.h). Reads the spool without changing
// it, so it can run while the agent runs.

#include <cstdint>
#include <filesystem>

#include "agent/interfaces/file_system.h"
#include "agent/interfaces/key_store.h"
#include "pairing/messages.h"
#include "pairing/result.h"

namespace tally::agent::standalone {

struct ExportInput {
    std::int64_t from = 0;  //!< [from, to), Unix seconds UTC
    std::int64_t to = 0;
    std::int64_t now = 0;
    pairing::DeviceFacts facts;
    std::filesystem::path output;
};

struct ExportSummary {
    std::uint64_t heartbeats = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t declared_lost = 0;
    std::uint64_t bytes = 0;
};

//! Error "empty" when the range holds no heartbeat (nothing to export).
Result<ExportSummary> export_bundle(const std::filesystem::path& state_dir, const KeyStore& keys,
                                    FileSystem& files, const ExportInput& input);

}  // namespace tally::agent::standalone
