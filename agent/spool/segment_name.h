#pragma once
// Segment file names: "seg-<20-digit seq>.log", where seq is the next heartbeat seq when the
// segment was started, so names sort in the order segments were written.

#include <cstdint>
#include <optional>
#include <string>

namespace tally::agent::spool {

std::string segment_name(std::uint64_t first_seq);
std::optional<std::uint64_t> parse_segment_name(const std::string& file_name);

}  // namespace tally::agent::spool
