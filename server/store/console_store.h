#pragma once
// The console's read-only queries (server/ui via application/console_*): activity per day
// read from the rollups (never raw heartbeats). One of the narrow store interfaces
// (store.h); SqliteStore implements it in sqlite_store_console.cpp.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::server {

//! One day of a tenant's month (day 1-31 of the month, the tenant's zone).
struct ConsoleDay {
    unsigned day = 0;
    std::int64_t active_devices = 0;  //!< devices with active minutes that day
    std::int64_t active_users = 0;    //!< distinct principals with active minutes that day
};

//! One local day of one device.
struct ConsoleDeviceDay {
    std::int64_t day = 0;  //!< days since 1970-01-01 in the tenant's zone
    std::int64_t heartbeats = 0;
    std::int64_t active_minutes = 0;
    std::int64_t active_users = 0;
};

//! One user's activity in a month, per device (rollup_user_month).
struct ConsoleUserDevice {
    std::string device_id;
    bool local = false;
    std::int64_t active_minutes = 0;
    std::int64_t day_mask = 0;  //!< bit d-1: day d of the month had active minutes
};

//! One local day of one user, over the devices it used.
struct ConsoleUserDay {
    std::int64_t day = 0;  //!< days since 1970-01-01 in the tenant's zone
    std::int64_t active_minutes = 0;
};

//! A dated change of a device that can change its billing.
struct ConsoleEvent {
    std::int64_t at = 0;
    std::string what;  //!< plain text, e.g. "type changed from business to personal"
};

class ConsoleStore {
  public:
    virtual ~ConsoleStore() = default;

    //! Every day 1..days_in_month of `month` (YYYYMM) of the tenant, from the month rollups'
    //! day bits. An unknown tenant has no rows (the caller checked access already).
    virtual Result<std::vector<ConsoleDay>> console_days(std::string_view tenant,
                                                         std::int64_t month,
                                                         unsigned days_in_month) = 0;
    //! The device's daily rollups in [first_day, last_day] (local day numbers), by day.
    virtual Result<std::vector<ConsoleDeviceDay>> console_device_days(std::string_view device_id,
                                                                      std::int64_t first_day,
                                                                      std::int64_t last_day) = 0;
    //! The device's pairing, enrollment, type changes, user assignments and retirement, by
    //! time.
    virtual Result<std::vector<ConsoleEvent>> console_device_events(std::string_view device_id) = 0;
    //! The principal's month rollups of the tenant on the given devices (each read by its
    //! primary key prefix), in that order; devices without a row are left out.
    virtual Result<std::vector<ConsoleUserDevice>> console_user_month(
        std::string_view tenant, std::int64_t month, std::string_view principal,
        const std::vector<std::string>& device_ids) = 0;
    //! The principal's active minutes per local day in [first_day, last_day] summed over the
    //! given devices (billing's per-hour rollups, rollup_bucket_user, read by device and
    //! hour range), by day; days without minutes are left out.
    virtual Result<std::vector<ConsoleUserDay>> console_user_days(
        std::string_view principal, bool local, const std::vector<std::string>& device_ids,
        std::int64_t first_day, std::int64_t last_day) = 0;
    //! Whether the tenant has any rollup row in `month` (YYYYMM): without one, nothing was
    //! counted that month and its billable units are 0 without running the engine.
    virtual Result<bool> console_month_active(std::string_view tenant, std::int64_t month) = 0;
};

}  // namespace tally::server
