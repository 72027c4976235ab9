#pragma once
// The spool's `acked` file: the highest seq the server acknowledged and the chain hash of
// that heartbeat (so the chain continues when every segment has been deleted). Small JSON,
// replaced atomically.

#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/interfaces/file_system.h"
#include "pairing/result.h"

namespace tally::agent::spool {

struct AckedState {
    std::uint64_t acked_through = 0;
    std::string chain_hash;  //!< hex SHA-256 of heartbeat `acked_through`; may be empty
};

//! A missing file is {0, ""}; an unreadable one is an error naming the file.
Result<AckedState> read_acked(const std::filesystem::path& path);
Result<void> write_acked(FileSystem& fs, const std::filesystem::path& path, const AckedState& s);

}  // namespace tally::agent::spool
