#pragma once
// Internal to the SQLite store: the month rollups (month_facts.h) of a tenant's devices, read by
// two ordered range scans, rollup_device_month and rollup_user_month (their primary keys lead
// with tenant, month, device id), walked in step, in place of three index seeks per device;
// then matched to the devices by id (match_month_rollups). Each device's latest end
// (max(rollup_device_day.last_end) over the month's local days) is a correlated subquery of the
// device scan: rollup_device_day is keyed by (device, day) with no tenant, so one seek per device,
// in id order.

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

//! The month rollups of the tenant's devices with rollups in the month, by device id, as
//! scan_month_rollups_by_id reads them: flat (a few large buffers, no allocation per device
//! or user), so that the thread that reads them leaves nothing in its malloc arena.
class ScannedRollups {
  public:
    std::size_t size() const { return devices_.size(); }
    //! How many users device i's rollups have (the users of its month fact, at most).
    std::size_t user_count(std::size_t i) const { return devices_[i].user_count; }
    std::string_view id(std::size_t i) const {
        return std::string_view(ids_).substr(devices_[i].id_begin, devices_[i].id_size);
    }
    //! Device i's rollups into `m` (its strings and vector reused).
    void get(std::size_t i, MonthDeviceRollup& m) const;
    //! Reserves room for `devices` devices (ids of `id_bytes` in all) and `users` users
    //! (principals of `principal_bytes`).
    void reserve(std::size_t devices, std::size_t id_bytes, std::size_t users,
                 std::size_t principal_bytes) {
        devices_.reserve(devices);
        ids_.reserve(id_bytes);
        users_.reserve(users);
        principals_.reserve(principal_bytes);
    }
    //! Adds a device (its users: add_user after it; m.users is not read).
    void add_device(std::string_view id, const MonthDeviceRollup& m);
    //! Adds a user (MonthUserRollup's fields) of the device added last.
    void add_user(std::string_view principal, bool local, std::int64_t active_minutes,
                  std::uint32_t day_mask, std::int64_t first_active, std::int64_t last_active);

  private:
    struct FlatDevice {
        std::uint32_t id_begin = 0;
        std::uint32_t id_size = 0;
        std::uint32_t first_user = 0;
        std::uint32_t user_count = 0;
        std::uint32_t day_mask = 0;
        bool has_first_active = false;
        std::int64_t heartbeats = 0;
        std::int64_t active_minutes = 0;
        std::int64_t first_active = 0;
        std::int64_t last_end = 0;
        std::int64_t late_heartbeats = 0;
    };
    struct FlatUser {
        std::uint32_t principal_begin = 0;
        std::uint32_t principal_size = 0;
        std::uint32_t day_mask = 0;
        bool local = false;
        std::int64_t active_minutes = 0;
        std::int64_t first_active = 0;
        std::int64_t last_active = 0;
    };
    std::string ids_;         //!< every device's id, one after the other
    std::string principals_;  //!< every user's principal, one after the other
    std::vector<FlatDevice> devices_;
    std::vector<FlatUser> users_;
};

//! Read without the devices, so that they can be read at the same time on another connection
//! of the same snapshot; match_month_rollups gives them their devices' positions.
Result<ScannedRollups> scan_month_rollups_by_id(SqliteDb& db, const MonthKey& key);

//! No rollups in the month (match_month_rollups).
inline constexpr std::uint32_t kNoRollup = 0xffffffff;

//! For each of `devices`, the index of its rollups in `scanned` or kNoRollup (`by_id`:
//! positions in `devices`, sorted by device id); rollups of devices
//! not in `devices` are left unread. `D`: Device or BillingDevice (their ids).
template <typename D>
std::vector<std::uint32_t> match_month_rollups(const ScannedRollups& scanned,
                                               const std::vector<D>& devices,
                                               std::span<const std::uint32_t> by_id) {
    std::vector<std::uint32_t> out(devices.size(), kNoRollup);
    std::size_t k = 0;  // by_id[k]: the first device whose id is not below the scanned one's
    for (std::uint32_t i = 0; i < scanned.size() && k < by_id.size(); ++i) {
        const auto id = scanned.id(i);
        while (k < by_id.size() && std::string_view(devices[by_id[k]].id) < id) {
            ++k;
        }
        if (k < by_id.size() && devices[by_id[k]].id == id) {  // else not one of `devices`
            out[by_id[k]] = i;
        }
    }
    return out;
}

}  // namespace tally::server::detail
