// A device's lifecycle columns, written only as the state machine decides (see
// sqlite_device_state.h).

#include "server/store/sqlite_device_state.h"

#include <string>

namespace tally::server::detail {
namespace {

using domain::DeviceEvent;
using domain::DeviceState;

constexpr std::string_view kRevokedReason = "revoked";

//! The state of the stored device, read in the caller's transaction.
Result<DeviceState> read_state(SqliteDb& db, std::string_view device_id) {
    auto s = db.prepare(
        "SELECT retired_at IS NOT NULL, suspected_clone, retire_reason IS ? FROM devices"
        " WHERE id = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, kRevokedReason).bind(2, device_id).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("unknown_device",
                          "device " + std::string(device_id) + " is not registered");
    }
    if (s->int64(0) != 0) {
        return s->int64(2) != 0 ? DeviceState::revoked : DeviceState::retired;
    }
    return s->int64(1) != 0 ? DeviceState::suspected_clone : DeviceState::paired;
}

}  // namespace

Result<domain::Transition> record_fork_state(SqliteDb& db, std::string_view device_id) {
    auto from = read_state(db, device_id);
    if (!from) {
        return from.error();
    }
    const auto next = domain::after_fork(*from, device_id);
    if (!next.changes) {
        return next;
    }
    auto flag = db.prepare("UPDATE devices SET suspected_clone = 1 WHERE id = ?");
    if (!flag) {
        return flag.error();
    }
    if (auto r = flag->bind(1, device_id).run(); !r) {
        return r.error();
    }
    return next;
}

Result<domain::Transition> end_device_state(SqliteDb& db, std::string_view device_id,
                                            std::string_view reason, std::int64_t now) {
    auto from = read_state(db, device_id);
    if (!from) {
        return from.error();
    }
    const auto event = reason == kRevokedReason ? DeviceEvent::revoke : DeviceEvent::retire;
    auto next = domain::transition(*from, event, device_id);
    if (!next || !next->changes) {
        return next;
    }
    auto s = db.prepare("UPDATE devices SET retired_at = ?, retire_reason = ? WHERE id = ?");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, now).bind(2, reason).bind(3, device_id).run(); !r) {
        return r.error();
    }
    return next;
}

}  // namespace tally::server::detail
