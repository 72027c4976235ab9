#pragma once
// The in-process fast path for bench state (issue 20): a realistic month (month_profile.h)
// for N devices written straight into a data dir's store through its batch-storing call
// (SqliteStore::store_signed_batch), one whole device-day (288 heartbeats) per call, from several
// threads so that group commit puts many days in one transaction. Each device is paired
// through SqliteStore::pair_device with a real P-256 public key and the same facts the API
// bench sends; its heartbeats are the same canonical bytes (encode_heartbeat, seq, hash
// chain) tally-bench-month signs and sends.
//
// What it skips, compared with the API: TLS, HTTP, the pairing request (its signature,
// nonce, clock and rate checks: the device row is written directly), the verification of the
// batch's ECDSA signature (each day's gzip body is signed and stored as the evidence, as an
// upload's is, but not verified), the strict wire decode and the time
// window check (every heartbeat is stored as in-window: the month must lie inside the
// server's --max-backfill-days when the API would send it). What the store does with a
// batch — dedupe, chain check, evidence rows, rollups, ack — is the same code.
// The CTest bench.month.fast_equals_api shows on a small fleet that both paths store the same.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/month/month_profile.h"
#include "pairing/crypto.h"
#include "pairing/result.h"
#include "server/store/sqlite_store.h"

namespace tally::bench {

struct FastMonthOptions {
    std::string tenant;
    std::size_t devices = 0;
    int threads = 4;
};

struct FastDevice {
    std::string device_id;
    std::uint32_t index = 0;  //!< position in the fleet (month_profile's device number)
    //! Its key: each day's batch is signed like an upload, so the evidence stored is the
    //! API's (a signed gzip body per batch).
    std::shared_ptr<pairing::SoftwareKey> key;
};

struct FastMonthResult {
    std::vector<FastDevice> devices;
    std::uint64_t heartbeats = 0;
    double pair_seconds = 0;
    double store_seconds = 0;
};

//! Pairs the fleet and stores its month. Errors: the store's (a failed pair or batch).
Result<FastMonthResult> build_fast_month(server::SqliteStore& store, const MonthFleet& fleet,
                                         const FastMonthOptions& options);

}  // namespace tally::bench
