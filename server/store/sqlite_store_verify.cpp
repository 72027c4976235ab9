// SqliteStore::verify_evidence (see evidence_check.h): re-checks one tenant's month from what
// the store holds, read in one transaction under the store's lock. Every evidence batch with a
// counted heartbeat starting in the month is read: a signed one's body must verify with the
// device's registered key (the exact bytes the device sent), every body must decode, each
// counted heartbeat's link to the one before it must hold or have been recorded as a break on
// arrival, and the rollups recomputed from the evidence must equal the stored ones. The checks
// are evidence_walk.h's (shared with PostgresStore); here only the SQLite reads.

#include <optional>
#include <string>

#include "server/store/billing_queries.h"
#include "server/store/evidence_packs.h"
#include "server/store/evidence_rows.h"
#include "server/store/evidence_walk.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

//! The walk's lookups in the SQLite store (inside the caller's read transaction).
class SqliteLookup final : public detail::EvidenceLookup {
  public:
    explicit SqliteLookup(SqliteDb& db) : db_(db) {}

    Result<std::string> public_key(const std::string& device) override {
        auto s = db_.prepare("SELECT public_key FROM devices WHERE id = ?");
        if (!s) {
            return s.error();
        }
        auto row = s->bind(1, device).step();
        if (!row) {
            return row.error();
        }
        return *row ? s->text(0) : std::string();
    }

    Result<std::optional<std::string>> stored_bytes(const std::string& device,
                                                    std::uint64_t seq) override {
        auto counted = detail::counted_bytes(db_, device, seq);
        if (!counted && counted.error().code == "bad_evidence") {
            return std::optional<std::string>();  // its batch is reported where it is walked
        }
        if (!counted || *counted) {
            return counted;
        }
        auto packed = detail::packed_bytes(db_, device, seq);
        if (!packed && packed.error().code == "bad_evidence") {
            return std::optional<std::string>();  // its pack is reported where it is walked
        }
        if (!packed || *packed) {
            return packed;
        }
        auto s = db_.prepare("SELECT bytes FROM held_heartbeats WHERE device_id = ? AND seq = ?");
        if (!s) {
            return s.error();
        }
        auto row = s->bind(1, device).bind(2, static_cast<std::int64_t>(seq)).step();
        if (!row) {
            return row.error();
        }
        return *row ? std::optional<std::string>(s->text(0)) : std::nullopt;
    }

    Result<bool> break_recorded(const std::string& device, std::uint64_t seq) override {
        auto s = db_.prepare("SELECT 1 FROM chain_breaks WHERE device_id = ? AND seq = ?");
        if (!s) {
            return s.error();
        }
        return s->bind(1, device).bind(2, static_cast<std::int64_t>(seq)).step();
    }

  private:
    SqliteDb& db_;
};

Result<std::int64_t> count_held(SqliteDb& db, std::int64_t tid, std::int64_t from,
                                std::int64_t to) {
    auto s = db.prepare(
        "SELECT count(*) FROM held_heartbeats x JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = ? AND x.start_ts >= ? AND x.start_ts < ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, tid).bind(2, from).bind(3, to).step();
    if (!row) {
        return row.error();
    }
    return s->int64(0);
}

}  // namespace

Result<EvidenceCheck> SqliteStore::verify_evidence(std::string_view tenant,
                                                   std::string_view month) {
    std::lock_guard lock(mutex_);
    auto txn = detail::ReadTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto clock = clock_locked(tenant);
    if (!clock) {
        return clock.error();
    }
    const auto range = (*clock)->tz.month_range(month);
    if (!range) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    EvidenceCheck out;
    out.time_zone = (*clock)->tz.name();
    const auto tid = (*clock)->tenant_id;
    const auto number = (*clock)->month_day(range->first).first;
    SqliteLookup lookup(*db_);
    detail::EvidenceWalk walk(lookup, **clock, number, out);
    // A day's margin before the month so the walk knows the heartbeat before its first one.
    if (auto r = detail::each_evidence_batch(
            *db_, tid, range->first - 86400, range->second, true,
            [&](const detail::EvidenceRow& row, const std::vector<detail::CountedHeartbeat>& c,
                const std::string& problem) { return walk.batch(row, c, problem); });
        !r) {
        return r.error();
    }
    auto held = count_held(*db_, tid, range->first, range->second);
    if (!held) {
        return held.error();
    }
    out.held = *held;
    auto expected = detail::recompute_rollups(*db_, **clock, number);
    if (!expected && expected.error().code == "bad_evidence") {
        out.rollup_differences.push_back("not recomputable from the evidence: " +
                                         expected.error().message);
        return out;
    }
    if (!expected) {
        return expected.error();
    }
    auto stored = detail::read_rollups(*db_, tid, number);
    if (!stored) {
        return stored.error();
    }
    detail::compare_rollups(*expected, *stored, out);
    return out;
}

}  // namespace tally::server
