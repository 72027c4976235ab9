#pragma once
// HIDIdleTime, the IOHIDSystem registry property, holds the nanoseconds since the last
// keyboard, mouse or trackpad event, system-wide. Current macOS publishes it as a CFNumber
// (64-bit integer); very old releases published CFData holding the same integer in host
// byte order. Conversion only, no Apple API: unit-tested on Linux.

#include <cstdint>
#include <optional>
#include <span>

namespace tally::platform {

inline constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

//! Whole seconds since the last input (rounded down); nullopt for a negative value.
std::optional<std::int64_t> hid_idle_seconds(std::int64_t nanoseconds);

//! The CFData form: exactly 8 bytes, host (little-endian on every Mac since 2006) order.
std::optional<std::int64_t> hid_idle_seconds_from_data(std::span<const std::uint8_t> bytes);

}  // namespace tally::platform
