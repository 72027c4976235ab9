#pragma once
// Internal to the SQLite store: the month rollups (month_facts.h) of a tenant's devices, read by
// two ordered range scans, rollup_device_month and rollup_user_month (their primary keys lead
// with tenant, month, device id), walked in step with the devices sorted by id, in place of
// three index seeks per device. Each device's latest end (max(rollup_device_day.last_end) over
// the month's local days) is a correlated subquery of the device scan: rollup_device_day is
// keyed by (device, day) with no tenant, so one seek per device, in id order.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "server/store/month_facts.h"
#include "server/store/records.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! The month whose rollups are read: the tenant's row id, the month (YYYYMM) and its first and
//! last local day.
struct MonthKey {
    std::int64_t tid = 0;
    std::int64_t month = 0;
    std::int64_t first_day = 0;
    std::int64_t last_day = 0;
};

//! Each device's month rollups by its position in the tenant's devices; nullopt: no heartbeat
//! in the month.
using MonthRollups = std::vector<std::optional<MonthDeviceRollup>>;

//! Reads into `out` (one entry per device of `devices`) the month rollups of the devices
//! `by_id`: positions in `devices`, sorted by device id (all of them, or a run of that order:
//! only the ids from its first to its last are scanned). Users only with active minutes, by
//! (principal, local). Entries of other devices are left as they are, so two connections on
//! one snapshot may each fill a run of the same `out` at once.
Result<void> scan_month_rollups(SqliteDb& db, const MonthKey& key,
                                const std::vector<Device>& devices,
                                std::span<const std::uint32_t> by_id, MonthRollups& out);

}  // namespace tally::server::detail
