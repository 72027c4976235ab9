#pragma once
// The frames the agent and its helper process exchange over a socketpair: a list of
// byte strings, each length-prefixed (u32 count, then u32 length + bytes per field, little
// endian). Binary-safe (bodies are gzip) and bounded: a frame over kMaxFrameBytes is refused.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::platform {

using Frame = std::vector<std::string>;

constexpr std::size_t kMaxFrameBytes = 64u << 20;

std::string encode_frame(const Frame& fields);
//! Error bad_frame when `bytes` is not exactly one well-formed frame.
Result<Frame> decode_frame(std::string_view bytes);

//! Writes one frame to `fd` before `deadline` (poll; EINTR retried; no SIGPIPE).
Result<void> write_frame(int fd, const Frame& fields,
                         std::chrono::steady_clock::time_point deadline);
//! Reads one frame; nullopt when the peer closed before its first byte. Error timeout past
//! `deadline`, io on a short read or a socket error, bad_frame on a malformed frame.
Result<std::optional<Frame>> read_frame(int fd, std::chrono::steady_clock::time_point deadline);

}  // namespace tally::platform
