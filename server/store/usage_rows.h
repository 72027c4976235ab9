#pragma once
// The usage report's rows (records.h UsageData) made from a month's rollups: the same rules
// for the SQLite and the PostgreSQL store, which differ only in how they read the rows.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/store/records.h"
#include "server/store/rollups.h"

namespace tally::server::detail {

//! Fills `row` (its device already set) with its month's figures from the rollups. False
//! when the device is not listed: paired after the month ended (`to`) and without heartbeats
//! in it (a device can upload heartbeats older than its pairing, e.g. after standalone mode).
bool fill_device_usage(DeviceUsageRow& row, const Rollups& rollups, std::int64_t month,
                       std::int64_t to);

//! The users of the month from its user rollups: each device's user list, and the billed
//! users (retired devices' users left out). `index` maps device id to its row in `data`.
//! Directory principals are one person across devices (compared case-insensitively); local
//! accounts are distinct per device.
void bill_users(const Rollups& rollups, const std::map<std::string, std::size_t>& index,
                UsageData& data);

//! Days a month's day mask can hold (bit d-1 is day d).
inline constexpr unsigned kMaxMonthDays = 31;

//! Adds one to days[d-1] for every day d set in `mask` (days has kMaxMonthDays entries).
void count_day_bits(std::int64_t mask, std::vector<std::int64_t>& days);

}  // namespace tally::server::detail
