#pragma once
// One device's heartbeats of one day of the realistic month (month_profile.h), chained, as
// the API would store them: shared by the in-process fast path (fast_month.h) and the
// PostgreSQL bench (bench/postgres).

#include <cstdint>
#include <string>
#include <vector>

#include "bench/month/month_profile.h"
#include "server/store/records.h"

namespace tally::bench {

//! The heartbeats of device `device` on day `day`; `seq` and `prev` (the chain hash of the
//! heartbeat before) carry on from the previous day and are advanced.
std::vector<server::AcceptedHeartbeat> day_heartbeats(const MonthFleet& fleet, std::size_t device,
                                                      std::size_t day, std::uint64_t& seq,
                                                      std::string& prev);

}  // namespace tally::bench
