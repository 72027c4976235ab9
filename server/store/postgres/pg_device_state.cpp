// A PostgreSQL device's suspected_clone flag, written only as the state machine decides (see
// pg_device_state.h).

#include "server/store/postgres/pg_device_state.h"

#include <string>

namespace tally::server::detail {

Result<domain::Transition> pg_record_fork_state(PgConnection& c, std::string_view device_id) {
    auto r = c.exec(
        "SELECT retired_at IS NOT NULL, suspected_clone, retire_reason IS NOT DISTINCT FROM"
        " 'revoked' FROM devices WHERE id = $1",
        {pg_param(device_id)});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return make_error("unknown_device",
                          "device " + std::string(device_id) + " is not registered");
    }
    const auto from = r->boolean(0, 0)   ? (r->boolean(0, 2) ? domain::DeviceState::revoked
                                                             : domain::DeviceState::retired)
                      : r->boolean(0, 1) ? domain::DeviceState::suspected_clone
                                         : domain::DeviceState::paired;
    const auto next = domain::after_fork(from, device_id);
    if (!next.changes) {
        return next;
    }
    if (auto w = c.exec("UPDATE devices SET suspected_clone = true WHERE id = $1",
                        {pg_param(device_id)});
        !w) {
        return w.error();
    }
    return next;
}

}  // namespace tally::server::detail
