#pragma once
// The rollup-level fast path for bench state (issue 20 part D, `tally-bench-fastmonth
// --rollups-only`): a realistic month (month_profile.h) of a paired fleet written straight
// into a SQLite database as the rows the usage report reads, for 100,000 devices × a whole
// month in minutes instead of hours.
//
// Each device's month is generated in memory, slot by slot, as the rollups see a counted
// heartbeat (the same start, end, device minutes and users as the heartbeat tally-bench-month
// sends, received "now"), added by the product's own rollup code (server/store/rollups.h:
// Rollups::add, then apply_rollups: rollup_device_month, rollup_user_month, rollup_device_day,
// rollup_bucket, rollup_bucket_user), and the device row's acked_through, last_seq and
// last_seen are set as the ingest's last batch sets them. Devices are paired before, through
// PairingStore::pair_device (fast_month.h pair_fleet: devices, with real keys and facts).
//
// What it skips, beyond what the store-level fast path (fast_month.h) skips: the heartbeat
// bytes, their hash chain and signature, and every evidence row (evidence_batches is empty:
// nothing proves these bills: `verify-evidence` finds nothing, and whatever recomputes the
// rollups from the evidence — a change of the tenant's zone, grace, trial or inactivation, a
// user purge, a schema migration that fills a new rollup — leaves them empty: build the state
// again with the binary of the schema you read it with, never change its tenant);
// the dedupe and chain checks (every heartbeat is new and in order, as in the generated month:
// no gaps, forks, held heartbeats or chain breaks, which is also what the API path stores for
// it). The CTest bench.month.fast_equals_api.rollups shows on 12 devices × a whole month that
// the usage report and every row of every table the report reads equal the API path's.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/month/fast_month.h"
#include "bench/month/month_batch.h"
#include "bench/month/month_profile.h"
#include "pairing/result.h"

namespace tally::bench {

struct RollupMonthResult {
    std::uint64_t heartbeats = 0;      //!< counted heartbeats added to the rollups
    std::vector<DeviceTotals> totals;  //!< the generator's totals, per device (as `devices`)
    double seconds = 0;
};

//! Adds the month of every device in `devices` (paired in the tenant `tenant`) to the rollups of
//! the SQLite database `db_path` (no other connection may write it meanwhile), `threads`
//! generating device months while one writes them, a few hundred devices per transaction.
//! Errors: the database's, or not_found for an unknown tenant.
Result<RollupMonthResult> store_rollup_month(const std::string& db_path, const std::string& tenant,
                                             const MonthFleet& fleet,
                                             const std::vector<FastDevice>& devices, int threads);

}  // namespace tally::bench
