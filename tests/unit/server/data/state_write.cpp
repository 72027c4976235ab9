// A write of a device's lifecycle column that bypasses the state machine: the check
// scripts/check-device-state-writes must find it (CTest lint.device_state_writes_detects).
const char* kBypass =
    "UPDATE devices SET last_seen = ?, "
    "suspected_clone = 1 WHERE id = ?";
