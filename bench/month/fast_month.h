#pragma once
// The in-process fast path for bench state (issues 20, 21): a realistic month (month_profile.h)
// for N devices written straight into a store — SQLite or PostgreSQL, whichever `--db` opens
// (server/store/open_store.h) — through its batch-storing call (IngestStore::store_signed_batch,
// the call the upload handler makes), one whole device-day (288 heartbeats) per call, from
// several threads: on SQLite group commit puts many days in one transaction, on PostgreSQL each
// thread holds a pooled connection of its own and each day is one transaction of a handful of
// multi-row statements (postgres_store_ingest.cpp). Each device is paired through
// PairingStore::pair_device (from the same threads: one transaction per device) with a real
// P-256 public key and the same facts the API bench sends; its heartbeats are the same
// canonical bytes (encode_heartbeat, seq, hash chain) tally-bench-month signs and sends.
//
// What it skips, compared with the API: TLS, HTTP, the pairing request (its signature,
// nonce, clock and rate checks: the device row is written directly), the verification of the
// batch's ECDSA signature (each day's gzip body is signed and stored as the evidence, as an
// upload's is, but not verified), the strict wire decode and the time
// window check (every heartbeat is stored as in-window: the month must lie inside the
// server's --max-backfill-days when the API would send it). What the store does with a
// batch — dedupe, chain check, evidence rows, rollups, ack — is the same code.
// The CTest bench.month.fast_equals_api shows on a small fleet that both paths store the same
// (bench.month.fast_equals_api.postgres on PostgreSQL).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/month/month_profile.h"
#include "pairing/crypto.h"
#include "pairing/result.h"
#include "server/store/ingest_store.h"
#include "server/store/pairing_store.h"

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

//! Runs work(i) for i in [0, n) on `threads` threads; stops at the first error.
Result<void> parallel_for(std::size_t n, int threads,
                          const std::function<Result<void>(std::size_t)>& work);

//! Pairs the fleet through PairingStore::pair_device (what build_fast_month does first): device
//! i gets hostname bench-<i> and the API bench's facts, a fresh P-256 key.
Result<std::vector<FastDevice>> pair_fleet(server::PairingStore& store,
                                           const FastMonthOptions& options);

//! Pairs the fleet and stores its month (`pairer` and `ingest` are usually one Store).
//! Errors: the store's (a failed pair or batch).
Result<FastMonthResult> build_fast_month(server::PairingStore& pairer, server::IngestStore& ingest,
                                         const MonthFleet& fleet, const FastMonthOptions& options);

}  // namespace tally::bench
