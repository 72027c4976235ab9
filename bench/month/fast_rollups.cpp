// The rollup-level fast path for bench state (see fast_rollups.h).

#include "bench/month/fast_rollups.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <numeric>

#include "server/store/rollups.h"
#include "server/store/sqlite_db.h"

namespace tally::bench {
namespace {

namespace detail = server::detail;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 256;  // devices per transaction

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<std::int64_t> tenant_id(server::SqliteDb& db, const std::string& tenant) {
    auto s = db.prepare("SELECT id FROM tenants WHERE name = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, tenant).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("not_found", "no tenant " + tenant);
    }
    return s->int64(0);
}

//! The device's month as the ingest's rollups see its counted heartbeats (each received `now`):
//! the same start, end, device minutes and users as day_heartbeats (month_days.cpp) encodes.
detail::Rollups device_rollups(const detail::TenantClock& clock, const MonthFleet& fleet,
                               const FastDevice& device, std::int64_t now) {
    detail::Rollups r;
    detail::RollupHeartbeat hb;
    hb.device_id = device.device_id;
    hb.received_at = now;
    for (std::size_t slot = 0; slot < fleet.slots(); ++slot) {
        auto activity = fleet.activity(device.index, slot);
        hb.start = fleet.slot_start(slot);
        hb.end = hb.start + MonthFleet::kSlotSeconds;
        hb.device_active_minutes = activity.device_minutes;
        hb.users.clear();
        for (auto& u : activity.users) {
            hb.users.push_back({std::move(u.principal), u.local, u.active_minutes});
        }
        r.add(clock, hb);
    }
    return r;
}

struct Chunk {
    std::vector<detail::Rollups> rollups;
};

//! Generates the rollups of devices order[first, first + n) on `threads` threads, and their
//! generator totals into `totals`.
Result<Chunk> generate(const detail::TenantClock& clock, const MonthFleet& fleet,
                       const std::vector<FastDevice>& devices,
                       const std::vector<std::size_t>& order, std::size_t first, std::size_t n,
                       int threads, std::int64_t now, std::vector<DeviceTotals>& totals) {
    Chunk c;
    c.rollups.resize(n);
    auto ok = parallel_for(n, threads, [&](std::size_t i) -> Result<void> {
        const auto& d = devices[order[first + i]];
        c.rollups[i] = device_rollups(clock, fleet, d, now);
        totals[order[first + i]] = month_totals(fleet, d.index);
        return {};
    });
    if (!ok) {
        return ok.error();
    }
    return c;
}

//! Writes one chunk's rollups and its devices' ack, last seq and last seen in one transaction.
Result<void> write(server::SqliteDb& db, std::int64_t tid, const Chunk& c,
                   const std::vector<FastDevice>& devices, const std::vector<std::size_t>& order,
                   std::size_t first, std::int64_t last_seq, std::int64_t now) {
    auto tx = server::SqliteTransaction::begin(db);
    if (!tx) {
        return tx.error();
    }
    for (std::size_t i = 0; i < c.rollups.size(); ++i) {
        if (auto r = detail::apply_rollups(db, tid, c.rollups[i]); !r) {
            return r;
        }
        auto upd = db.prepare(
            "UPDATE devices SET acked_through = ?1, last_seq = ?1, last_seen = ?2 WHERE id = ?3");
        if (!upd) {
            return upd.error();
        }
        upd->bind(1, last_seq).bind(2, now).bind(3, devices[order[first + i]].device_id);
        if (auto r = upd->run(); !r) {
            return r;
        }
    }
    return tx->commit();
}

}  // namespace

Result<RollupMonthResult> store_rollup_month(const std::string& db_path, const std::string& tenant,
                                             const MonthFleet& fleet,
                                             const std::vector<FastDevice>& devices, int threads) {
    const auto t0 = Clock::now();
    auto db = server::SqliteDb::open(db_path);
    if (!db) {
        return db.error();
    }
    auto tid = tenant_id(**db, tenant);
    if (!tid) {
        return tid.error();
    }
    auto clock = detail::tenant_clock(**db, *tid);
    if (!clock) {
        return clock.error();
    }
    // Devices in id order: every rollup table is keyed by device id first, so rows are appended.
    std::vector<std::size_t> order(devices.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return devices[a].device_id < devices[b].device_id;
    });
    RollupMonthResult result;
    result.totals.resize(devices.size());
    const auto now = unix_now();
    const auto last_seq = static_cast<std::int64_t>(fleet.slots());
    const auto chunk_at = [&](std::size_t first) {
        return generate(*clock, fleet, devices, order, first,
                        std::min(kChunk, devices.size() - first), threads, now, result.totals);
    };
    // Chunk k+1 is generated while chunk k is written.
    auto next = chunk_at(0);
    for (std::size_t first = 0; first < devices.size(); first += kChunk) {
        if (!next) {
            return next.error();
        }
        auto chunk = std::move(*next);
        std::future<Result<Chunk>> ahead;
        if (first + kChunk < devices.size()) {
            ahead = std::async(std::launch::async, chunk_at, first + kChunk);
        }
        auto written = write(**db, *tid, chunk, devices, order, first, last_seq, now);
        if (ahead.valid()) {
            next = ahead.get();
        }
        if (!written) {
            return written.error();
        }
        for (const auto& r : chunk.rollups) {
            for (const auto& [key, row] : r.device_months) {
                result.heartbeats += static_cast<std::uint64_t>(row.heartbeats);
            }
        }
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return result;
}

}  // namespace tally::bench
