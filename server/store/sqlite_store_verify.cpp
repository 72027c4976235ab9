// SqliteStore::verify_evidence (see evidence_check.h): re-checks one tenant's month from what
// the store holds, read in one transaction under the store's lock. Every evidence batch with a
// counted heartbeat starting in the month is read: a signed one's body must verify with the
// device's registered key (the exact bytes the device sent), every body must decode, each
// counted heartbeat's link to the one before it must hold or have been recorded as a break on
// arrival, and the rollups recomputed from the evidence must equal the stored ones.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/store/billing_queries.h"
#include "server/store/evidence_compact.h"
#include "server/store/evidence_packs.h"
#include "server/store/evidence_rows.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

Result<bool> break_recorded(SqliteDb& db, const std::string& device, std::uint64_t seq) {
    auto s = db.prepare("SELECT 1 FROM chain_breaks WHERE device_id = ? AND seq = ?");
    if (!s) {
        return s.error();
    }
    return s->bind(1, device).bind(2, static_cast<std::int64_t>(seq)).step();
}

//! The bytes stored for `seq` (counted, packed or held) when not the previous one walked.
Result<std::optional<std::string>> bytes_of(SqliteDb& db, const std::string& device,
                                            std::uint64_t seq) {
    auto counted = detail::counted_bytes(db, device, seq);
    if (!counted && counted.error().code == "bad_evidence") {
        return std::optional<std::string>();  // its batch is reported where it is walked
    }
    if (!counted || *counted) {
        return counted;
    }
    auto packed = detail::packed_bytes(db, device, seq);
    if (!packed && packed.error().code == "bad_evidence") {
        return std::optional<std::string>();  // its pack is reported where it is walked
    }
    if (!packed || *packed) {
        return packed;
    }
    auto s = db.prepare("SELECT bytes FROM held_heartbeats WHERE device_id = ? AND seq = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, device).bind(2, static_cast<std::int64_t>(seq)).step();
    if (!row) {
        return row.error();
    }
    return *row ? std::optional<std::string>(s->text(0)) : std::nullopt;
}

//! Walks the month's batches: signatures, decoding and chain links.
class EvidenceWalk {
  public:
    EvidenceWalk(SqliteDb& db, const detail::TenantClock& clock, std::int64_t month,
                 EvidenceCheck& out)
        : db_(db), clock_(clock), month_(month), out_(out) {}

    Result<void> batch(const detail::EvidenceRow& row,
                       const std::vector<detail::CountedHeartbeat>& counted,
                       const std::string& problem) {
        if (row.device_id != device_) {
            device_ = row.device_id;
            previous_.reset();
            auto key = public_key(row.device_id);
            if (!key) {
                return key.error();
            }
            key_ = std::move(*key);
        }
        bool in_month = !problem.empty();  // a body that does not decode is reported
        for (const auto& c : counted) {
            in_month = in_month || month_of(c.bytes) == month_;
        }
        if (!in_month) {
            remember(counted);
            return {};
        }
        ++out_.batches;
        check_signature(row);
        if (!problem.empty()) {
            out_.problems.push_back({row.device_id, 0, problem});
            previous_.reset();
            return {};
        }
        for (const auto& c : counted) {
            if (auto r = heartbeat(row, c); !r) {
                return r;
            }
        }
        return {};
    }

  private:
    Result<std::string> public_key(const std::string& device) {
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

    std::int64_t month_of(std::string_view bytes) const {
        auto d = pairing::decode_heartbeat(bytes);
        return d ? clock_.month_day(d->start).first : 0;
    }

    void remember(const std::vector<detail::CountedHeartbeat>& counted) {
        if (!counted.empty()) {
            previous_.emplace(counted.back().seq, std::string(counted.back().bytes));
        }
    }

    void check_signature(const detail::EvidenceRow& row) {
        std::string rebuilt;
        const bool compact =
            row.kind == evidence::Kind::compact || row.kind == evidence::Kind::compact_raw;
        if (compact) {
            // The exact signed bytes, re-deflated from the compact form (as stored, or as an
            // evidence pack holds it).
            auto r = row.kind == evidence::Kind::compact ? evidence::rebuild(row.body, true)
                                                         : evidence::rebuild_raw(row.body, true);
            rebuilt = r ? std::move(r->body) : std::string();
        } else if (row.kind != evidence::Kind::signed_body) {
            ++out_.unsigned_batches;
            return;
        }
        const auto& body = compact ? rebuilt : row.body;
        if (pairing::verify_signature(pairing::as_bytes(key_), pairing::as_bytes(body),
                                      pairing::as_bytes(row.signature))) {
            ++out_.signatures_ok;
            return;
        }
        const auto where = row.pack_id == 0
                               ? std::string()
                               : " (in evidence pack " + std::to_string(row.pack_id) + ")";
        out_.problems.push_back({row.device_id, 0,
                                 "evidence batch " + std::to_string(row.id) + where +
                                     ": the stored body does not verify with the device's "
                                     "registered key (altered after it was stored)"});
    }

    Result<void> heartbeat(const detail::EvidenceRow& row, const detail::CountedHeartbeat& c) {
        auto d = pairing::decode_heartbeat(c.bytes);
        std::optional<std::pair<std::uint64_t, std::string>> before;
        before.swap(previous_);
        previous_.emplace(c.seq, std::string(c.bytes));
        if (!d || clock_.month_day(d->start).first != month_) {
            return {};
        }
        ++out_.heartbeats;
        ++out_.decoded_ok;
        if (row.kind == evidence::Kind::redacted) {
            ++out_.redacted;
            return {};
        }
        return link(c.seq, d->prev, before);
    }

    Result<void> link(std::uint64_t seq, const std::string& prev,
                      const std::optional<std::pair<std::uint64_t, std::string>>& walked) {
        std::optional<std::string> before;
        if (seq > 1 && walked && walked->first == seq - 1) {
            before = walked->second;
        } else if (seq > 1) {
            auto stored = bytes_of(db_, device_, seq - 1);
            if (!stored) {
                return stored.error();
            }
            before = std::move(*stored);
        }
        if (seq > 1 && !before) {
            return {};  // the seq before is not stored (a declared gap)
        }
        ++out_.links_checked;
        const auto expected =
            seq == 1 ? std::string(pairing::kGenesisPrev) : pairing::chain_hash(*before);
        if (prev == expected) {
            return {};
        }
        auto recorded = break_recorded(db_, device_, seq);
        if (!recorded) {
            return recorded.error();
        }
        if (*recorded) {
            ++out_.recorded_breaks;
        } else {
            out_.problems.push_back({device_, seq,
                                     "prev does not match the heartbeat before it, "
                                     "and no chain break was recorded on arrival"});
        }
        return {};
    }

    SqliteDb& db_;
    const detail::TenantClock& clock_;
    std::int64_t month_;
    EvidenceCheck& out_;
    std::string device_;
    std::string key_;
    std::optional<std::pair<std::uint64_t, std::string>> previous_;
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
    EvidenceWalk walk(*db_, **clock, number, out);
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
    out.rollup_rows = static_cast<std::int64_t>(
        stored->device_months.size() + stored->user_months.size() + stored->device_days.size());
    out.rollup_differences = detail::diff_rollups(*expected, *stored);
    return out;
}

}  // namespace tally::server
