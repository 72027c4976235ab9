#pragma once
// Use cases of the console's device and user pages: one device's or one user's month (its
// billing row and why, activity per day from the rollups, the events that changed its
// billing), so a support question is answered from one page.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/application/console_month.h"

namespace tally::server::application {

struct ConsoleDevicePage {
    //! nullptr while the month is being computed (only device is filled then).
    std::shared_ptr<const KeptReport> report;
    std::int64_t pending_since = 0;
    Device device;
    std::optional<DeviceReportRow> row;  //!< expanded from *report; nullopt: not in the month
    std::int64_t first_day = 0;          //!< local day number of day 1 of the month
    unsigned days_in_month = 0;
    std::vector<ConsoleDeviceDay> days;  //!< days with rollups, by day
    std::vector<ConsoleEvent> events;    //!< by time
};

struct ConsoleUserPage {
    //! nullptr while the month is being computed (nothing else is filled then).
    std::shared_ptr<const KeptReport> report;
    std::int64_t pending_since = 0;
    const billing::UserBilling* user = nullptr;  //!< into *report
    std::int64_t first_day = 0;                  //!< local day number of day 1 of the month
    unsigned days_in_month = 0;
    std::vector<ConsoleUserDay> days;        //!< active minutes per day, days with some
    std::vector<ConsoleUserDevice> devices;  //!< its month rollups per device
    std::vector<std::string> hostnames;      //!< of devices[i] ("" when unknown)
    std::vector<std::string> paired;         //!< hostnames of active devices paired with it
};

//! The caller has been allowed the tenant already. Errors: not_found (no such device in
//! the tenant), build_usage_report's, db.
Result<ConsoleDevicePage> console_device(Store& store, ReportCache& cache, std::string_view tenant,
                                         std::string_view month, std::string_view device_id,
                                         std::int64_t now);

//! `key`: the user's key in the report (UserBilling::key). Errors: not_found (no active
//! user with that key in the month), build_usage_report's, db.
Result<ConsoleUserPage> console_user(Store& store, ReportCache& cache, std::string_view tenant,
                                     std::string_view month, std::string_view key,
                                     std::int64_t now);

}  // namespace tally::server::application
