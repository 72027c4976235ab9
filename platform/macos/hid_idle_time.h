#pragma once
// HIDIdleTime from the I/O Registry: the IOHIDSystem service's property, nanoseconds since
// the last HID event system-wide. Readable by any process, so by a LaunchDaemon.

#include <cstdint>

#include "pairing/result.h"

namespace tally::platform {

//! Seconds since the last keyboard/mouse/trackpad input; an error naming the failed step.
Result<std::int64_t> read_hid_idle_seconds();

}  // namespace tally::platform
