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
#include <string>
#include <string_view>
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

//! The month rollups of the tenant's devices with rollups in the month, by device id, as
//! scan_month_rollups_by_id reads them: the ids in one buffer, the rollups parallel to them.
struct ScannedRollups {
    std::string ids;                     //!< every id, one after the other
    std::vector<std::uint32_t> id_ends;  //!< id i ends at ids[id_ends[i]]
    std::vector<MonthDeviceRollup> rollups;

    std::string_view id(std::size_t i) const {
        const std::size_t begin = i == 0 ? 0 : id_ends[i - 1];
        return std::string_view(ids).substr(begin, id_ends[i] - begin);
    }
};

//! Read without the devices, so that they can be read at the same time on another connection
//! of the same snapshot; match_month_rollups gives them their devices' positions.
Result<ScannedRollups> scan_month_rollups_by_id(SqliteDb& db, const MonthKey& key);

//! No rollups in the month (match_month_rollups).
inline constexpr std::uint32_t kNoRollup = 0xffffffff;

//! For each of `devices`, the index of its rollups in `scanned` or kNoRollup (`by_id`:
//! positions in `devices`, sorted by device id, as in scan_month_rollups). The ids of
//! `scanned` are freed; rollups of devices not in `devices` are left unread.
std::vector<std::uint32_t> match_month_rollups(ScannedRollups& scanned,
                                               const std::vector<Device>& devices,
                                               std::span<const std::uint32_t> by_id);

}  // namespace tally::server::detail
