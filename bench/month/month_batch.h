#pragma once
// Signed upload bodies of a realistic month (month_profile.h) for one simulated device, and
// what the server's report must then say about that device.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/ingest/fleet.h"
#include "bench/month/month_profile.h"

namespace tally::bench {

//! The device's heartbeats for slots [first, first + count), signed as one batch; advances
//! the device's seq and hash chain.
SignedBatch make_month_batch(SimDevice& device, const MonthFleet& fleet, std::size_t first,
                             std::size_t count, std::int64_t now);

struct DeviceTotals {
    std::uint64_t heartbeats = 0;
    std::uint64_t active_minutes = 0;
    std::uint64_t active_days = 0;         //!< UTC days with an active minute
    std::vector<std::string> users;        //!< principals with an active minute, sorted
    std::vector<std::string> local_users;  //!< of them, local accounts
};

//! What the generator made for `device` over the whole month.
DeviceTotals month_totals(const MonthFleet& fleet, std::size_t device);

}  // namespace tally::bench
