// HIDIdleTime conversions (hid_idle.h).

#include "platform/macos/hid_idle.h"

namespace tally::platform {

std::optional<std::int64_t> hid_idle_seconds(std::int64_t nanoseconds) {
    if (nanoseconds < 0)
        return std::nullopt;
    // Integer division of the whole value: the ns → s step is one division, nothing else
    // (node-system-idle-time divided before shifting the high word, a precedence bug).
    return nanoseconds / kNanosecondsPerSecond;
}

std::optional<std::int64_t> hid_idle_seconds_from_data(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != sizeof(std::int64_t))
        return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i)
        v |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
    return hid_idle_seconds(static_cast<std::int64_t>(v));
}

}  // namespace tally::platform
