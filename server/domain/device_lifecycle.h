#pragma once
// The one state machine of a server-side device record. Every change of a device's state
// (ingest flags a clone, the agent retires, an admin retires or revokes) and every use that
// depends on the state (an upload) asks transition() first; nothing writes retired_at or
// suspected_clone without it.
//
//   paired ──flag_clone──▶ suspected_clone          (a fork: same seq, other bytes)
//     │  └──retire/revoke──┐   │ retire/revoke
//     ▼                    ▼   ▼
//   retired ◀── (retire again: kept, first time wins)    revoked (revoke again: kept)
//
// Allowed: upload in paired/suspected_clone; flag_clone in paired/suspected_clone; retire in
// any state (idempotent: an ended device stays as it ended, PROTOCOL.md §6 retire is
// idempotent); revoke in paired/suspected_clone/revoked.
// A store that sees a fork asks after_fork() (below), which goes through transition().
// Refused: upload or flag_clone of a retired (device_retired) or revoked (device_revoked)
// device; revoke of a retired device (device_retired: it already takes no uploads and is not
// billed; the CLI reports it as already ended).

#include <cstdint>
#include <optional>
#include <string_view>

#include "pairing/result.h"
#include "server/store/records.h"

namespace tally::server::domain {

enum class DeviceState { paired, suspected_clone, retired, revoked };
enum class DeviceEvent { upload, flag_clone, retire, revoke };

std::string_view to_string(DeviceState state);
std::optional<DeviceState> parse_device_state(std::string_view text);
std::string_view to_string(DeviceEvent event);

//! The state of a stored device; `revoked` is the retirement's reason (device_evidence).
DeviceState state_of(const Device& device, bool revoked);

struct Transition {
    DeviceState to;
    bool changes = false;  //!< false: allowed, nothing to write (idempotent or a use)
};

//! The state after `event`, or the typed refusal (device_retired, device_revoked).
Result<Transition> transition(DeviceState from, DeviceEvent event, std::string_view device_id);

//! What a fork (the same seq with other bytes) seen for a device in `from` does to its state:
//! transition(flag_clone). A live device becomes suspected_clone; for an ended device the
//! refusal is the decision: its end stands and the fork is evidence only (a bundle imported
//! after the retirement may carry one). The store writes the state only when `changes`.
Transition after_fork(DeviceState from, std::string_view device_id);

}  // namespace tally::server::domain
