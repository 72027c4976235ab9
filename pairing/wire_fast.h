#pragma once
// Internal to pairing/: fast decoders for heartbeats and batches. They accept only what the
// strict reference decoders (nlohmann + FieldReader) accept, and return the same value; on
// anything they are not sure of (an error, an escape like \u, non-ASCII text, a number out of
// range) they return nullopt and the caller runs the reference decoder, which then gives the
// exact error. So every rejection and message stays the reference decoder's.

#include <optional>
#include <string_view>

#include "pairing/batch.h"
#include "pairing/heartbeat.h"

namespace tally::pairing::detail {

std::optional<Heartbeat> decode_heartbeat_fast(std::string_view bytes);
std::optional<Batch> decode_batch_fast(std::string_view json);

//! The strict reference decoders (heartbeat.cpp, batch.cpp): nlohmann + FieldReader.
Result<Heartbeat> decode_heartbeat_reference(std::string_view bytes);
Result<Batch> decode_batch_reference(std::string_view json);

}  // namespace tally::pairing::detail
