// SqliteStore::store_batch: the dedupe and the write are one transaction (a dedupe key
// claimed apart from its write can lose a retried heartbeat; here: one savepoint of a group
// commit, see group_commit.h). Schema 10: a batch that counts heartbeats is kept once, as
// evidence (evidence_batch.h), with a short hash per counted seq for the dedupe while the seq
// can still arrive; no row per heartbeat. Forks are kept as evidence, out-of-window heartbeats
// are held (not counted), chain breaks and gaps are recorded, and the contiguous ack is
// advanced before commit.
//
// Is seq s already stored? s above devices.last_seq: no (the common case, no look-up). Else
// the batch whose counted ranges hold s decides by its short hash (same: duplicate; different:
// fork). Once the short hashes are pruned (past the acceptance window, purge_evidence) or the
// batch deleted (past evidence_retention_days, devices.evidence_floor), a seq arriving again is
// answered as a duplicate and never counted: the agent still gets its ack, a different body is
// not counted (but no longer told apart as a fork).

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_rows.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_device_state.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

enum class Found { kNone, kSame, kDifferent, kPastWindow };

//! The held (out-of-window) bytes of `seq`, if any.
Result<std::optional<std::string>> held_bytes(SqliteDb& db, std::string_view device_id,
                                              std::uint64_t seq) {
    auto s = db.prepare("SELECT bytes FROM held_heartbeats WHERE device_id = ? AND seq = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq)).step();
    if (!row) {
        return row.error();
    }
    return *row ? std::optional<std::string>(s->text(0)) : std::nullopt;
}

Result<void> insert_fork(SqliteDb& db, std::string_view device_id, std::uint64_t seq,
                         std::string_view bytes, std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO forks(device_id, seq, bytes_sha256, bytes, received_at) VALUES (?,?,?,?,?)"
        " ON CONFLICT DO NOTHING");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq));
    s->bind(3, pairing::hex_encode(pairing::sha256(bytes))).bind_blob(4, bytes);
    if (auto r = s->bind(5, now).run(); !r) {
        return r;
    }
    // The lifecycle decides what the fork does to the device (suspected_clone, or nothing).
    if (auto r = detail::record_fork_state(db, device_id); !r) {
        return r.error();
    }
    return {};
}

Result<void> insert_held(SqliteDb& db, std::string_view device_id, const AcceptedHeartbeat& hb,
                         std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO held_heartbeats(device_id, seq, bytes, start_ts, end_ts, reason,"
        " received_at) VALUES (?,?,?,?,?,'out_of_window',?)");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(hb.decoded.seq)).bind_blob(3, hb.bytes);
    return s->bind(4, hb.decoded.start).bind(5, hb.decoded.end).bind(6, now).run();
}

Result<void> delete_held(SqliteDb& db, std::string_view device_id, std::uint64_t seq) {
    auto s = db.prepare("DELETE FROM held_heartbeats WHERE device_id = ? AND seq = ?");
    if (!s) {
        return s.error();
    }
    return s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq)).run();
}

Result<bool> record_break(SqliteDb& db, std::string_view device_id, std::uint64_t seq,
                          std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO chain_breaks(device_id, seq, received_at) VALUES (?,?,?)"
        " ON CONFLICT DO NOTHING");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq)).bind(3, now).run();
        !r) {
        return r.error();
    }
    return db.changes() > 0;
}

//! What this batch has stored so far and what the device had before it.
struct BatchState {
    std::string_view device_id;
    //! Bytes this batch stored (counted or held) or found identical, by seq.
    std::unordered_map<std::uint64_t, std::string_view> bytes;
    //! No heartbeat with a larger seq is stored (counted or held): devices.last_seq, raised here.
    std::uint64_t max_seq = 0;
    //! Seqs up to this had their evidence deleted by the retention (devices.evidence_floor).
    std::uint64_t floor = 0;
    std::vector<const AcceptedHeartbeat*> counted;  //!< newly counted, for the evidence row
    //! SHA-256 of each of `counted` (same order): its short hash for the evidence row and,
    //! for the next heartbeat of the batch, the `prev` it must carry — hashed once, not twice.
    std::vector<pairing::Bytes> digests;
};

//! The digest of heartbeat `seq` when this batch just counted it (one of its last two
//! counted: a batch comes in ascending seq), else nullptr.
const pairing::Bytes* counted_digest(const BatchState& st, std::uint64_t seq) {
    const auto n = st.counted.size();
    for (std::size_t k = n; k > 0 && k + 2 > n; --k) {
        if (st.counted[k - 1]->decoded.seq == seq) {
            return &st.digests[k - 1];
        }
    }
    return nullptr;
}

//! hex_encode(digest) == hex, without building the text.
bool hex_is(std::string_view hex, const pairing::Bytes& digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    if (hex.size() != digest.size() * 2) {
        return false;
    }
    for (std::size_t i = 0; i < digest.size(); ++i) {
        if (hex[2 * i] != kDigits[digest[i] >> 4] || hex[2 * i + 1] != kDigits[digest[i] & 15]) {
            return false;
        }
    }
    return true;
}

//! How `hb`'s seq is already stored: counted (by short hash) or held (by bytes).
struct Existing {
    Found counted = Found::kNone;
    Found held = Found::kNone;
};

Result<Existing> existing(SqliteDb& db, const BatchState& st, const AcceptedHeartbeat& hb) {
    Existing e;
    const auto seq = hb.decoded.seq;
    if (seq > st.max_seq) {
        return e;
    }
    auto counted = detail::find_counted(db, st.device_id, seq);
    if (!counted) {
        return counted.error();
    }
    if (*counted) {
        e.counted = (*counted)->hash.empty()                             ? Found::kPastWindow
                    : (*counted)->hash == evidence::short_hash(hb.bytes) ? Found::kSame
                                                                         : Found::kDifferent;
        return e;
    }
    auto held = held_bytes(db, st.device_id, seq);
    if (!held) {
        return held.error();
    }
    if (*held) {
        e.held = **held == hb.bytes ? Found::kSame : Found::kDifferent;
    } else if (seq <= st.floor) {
        e.counted = Found::kPastWindow;
    }
    return e;
}

//! Whether heartbeat `seq - 1`'s link to `prev` holds; nullopt when it cannot be told (not
//! stored, or past the window).
Result<std::optional<bool>> link_before(SqliteDb& db, const BatchState& st, std::uint64_t seq,
                                        std::string_view prev) {
    const auto before = seq - 1;
    if (const auto* digest = counted_digest(st, before)) {
        return std::optional<bool>(hex_is(prev, *digest));
    }
    if (const auto it = st.bytes.find(before); it != st.bytes.end()) {
        return std::optional<bool>(pairing::chain_hash(it->second) == prev);
    }
    if (before > st.max_seq) {
        return std::optional<bool>();
    }
    auto counted = detail::find_counted(db, st.device_id, before);
    if (!counted) {
        return counted.error();
    }
    if (*counted) {
        if ((*counted)->hash.empty()) {
            return std::optional<bool>();
        }
        return std::optional<bool>(evidence::prev_matches(prev, (*counted)->hash));
    }
    auto held = held_bytes(db, st.device_id, before);
    if (!held) {
        return held.error();
    }
    return *held ? std::optional<bool>(pairing::chain_hash(**held) == prev) : std::nullopt;
}

//! The bytes of the stored heartbeat after `seq` (stored by an earlier batch: out of order).
Result<std::optional<std::string>> bytes_after(SqliteDb& db, const BatchState& st,
                                               std::uint64_t seq) {
    if (seq + 1 > st.max_seq || st.bytes.count(seq + 1) > 0) {
        return std::optional<std::string>();
    }
    auto counted = detail::counted_bytes(db, st.device_id, seq + 1);
    if (!counted || *counted) {
        return counted;
    }
    return held_bytes(db, st.device_id, seq + 1);
}

//! Checks the links between a newly stored heartbeat and its stored neighbours; returns how
//! many new breaks it recorded. A neighbour inside a declared gap is simply absent.
Result<std::uint32_t> check_chain(SqliteDb& db, const BatchState& st, const AcceptedHeartbeat& hb,
                                  std::int64_t now) {
    std::uint32_t breaks = 0;
    const auto seq = hb.decoded.seq;
    const auto record = [&](std::uint64_t at) -> Result<void> {
        auto r = record_break(db, st.device_id, at, now);
        if (!r) {
            return r.error();
        }
        breaks += *r ? 1 : 0;
        return {};
    };
    if (seq > 1) {
        auto ok = link_before(db, st, seq, hb.decoded.prev);
        if (!ok) {
            return ok.error();
        }
        if (*ok && !**ok) {
            if (auto r = record(seq); !r) {
                return r.error();
            }
        }
    }
    auto after = bytes_after(db, st, seq);
    if (!after) {
        return after.error();
    }
    if (*after) {
        auto next = pairing::decode_heartbeat(**after);
        if (next && next->prev != pairing::chain_hash(hb.bytes)) {
            if (auto r = record(seq + 1); !r) {
                return r.error();
            }
        }
    }
    return breaks;
}

//! Records a heartbeat this batch just stored; with `check`, first checks its links to its
//! stored neighbours. Returns the chain breaks it recorded.
Result<std::uint32_t> note_stored(SqliteDb& db, BatchState& st, const AcceptedHeartbeat& hb,
                                  std::int64_t now, bool check) {
    std::uint32_t breaks = 0;
    if (check) {
        auto r = check_chain(db, st, hb, now);
        if (!r) {
            return r.error();
        }
        breaks = *r;
    }
    st.bytes[hb.decoded.seq] = hb.bytes;
    st.max_seq = std::max(st.max_seq, hb.decoded.seq);
    return breaks;
}

Result<void> insert_gap(SqliteDb& db, std::string_view device_id, const pairing::Gap& g,
                        std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO gaps(device_id, from_seq, to_seq, reason, received_at) VALUES (?,?,?,?,?)"
        " ON CONFLICT DO NOTHING");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(g.from_seq));
    s->bind(3, static_cast<std::int64_t>(g.to_seq)).bind(4, g.reason);
    return s->bind(5, now).run();
}

//! Whether `seq` (at most max_seq, not stored by this batch) is stored: counted, held, or
//! below the retention floor.
Result<bool> seq_stored(SqliteDb& db, const BatchState& st, std::uint64_t seq) {
    if (seq <= st.floor) {
        return true;
    }
    auto counted = detail::find_counted(db, st.device_id, seq);
    if (!counted) {
        return counted.error();
    }
    if (*counted) {
        return true;
    }
    auto held = held_bytes(db, st.device_id, seq);
    if (!held) {
        return held.error();
    }
    return held->has_value();
}

//! The contiguous ack from `from`: stored seqs (counted or held: the agent may delete held
//! ones too) and declared gaps.
Result<std::uint64_t> advance_ack(SqliteDb& db, const BatchState& st, std::uint64_t from) {
    auto gap = db.prepare(
        "SELECT max(to_seq) FROM gaps WHERE device_id = ? AND from_seq <= ? AND to_seq >= ?");
    if (!gap) {
        return gap.error();
    }
    std::uint64_t ack = from;
    for (;;) {
        const auto next = ack + 1;
        if (st.bytes.count(next) > 0) {
            ++ack;
            continue;
        }
        if (next <= st.max_seq) {
            auto stored = seq_stored(db, st, next);
            if (!stored) {
                return stored.error();
            }
            if (*stored) {
                ++ack;
                continue;
            }
        }
        const auto n = static_cast<std::int64_t>(next);
        auto grow = gap->reset().bind(1, st.device_id).bind(2, n).bind(3, n).step();
        if (!grow) {
            return grow.error();
        }
        if (!*grow || gap->is_null(0)) {
            return ack;
        }
        ack = static_cast<std::uint64_t>(gap->int64(0));
    }
}

//! Adds a newly counted heartbeat (received `now`) to the batch's rollups.
void add_rollup(detail::Rollups& rollups, const detail::TenantClock& clock,
                std::string_view device_id, const AcceptedHeartbeat& hb, std::int64_t now) {
    const auto& d = hb.decoded;
    detail::RollupHeartbeat r{
        std::string(device_id), d.start, d.end, now, std::int64_t{d.device_active_minutes}, {}};
    r.users.reserve(d.users.size());
    for (const auto& u : d.users) {
        r.users.push_back({u.principal, u.local, std::int64_t{u.active_minutes}});
    }
    rollups.add(clock, r);
}

//! The batch's evidence row: the signed body when there is one, else the counted heartbeats'
//! bytes (a bundle import).
Result<void> store_evidence(SqliteDb& db, const BatchState& st, const SignedUpload* signed_body,
                            std::int64_t now) {
    if (st.counted.empty()) {
        return {};
    }
    detail::NewEvidence e;
    std::vector<std::string_view> texts;
    e.first_start = st.counted.front()->decoded.start;
    e.last_start = e.first_start;
    for (std::size_t i = 0; i < st.counted.size(); ++i) {
        const auto* hb = st.counted[i];
        e.seqs.push_back(hb->decoded.seq);
        e.hashes.append(pairing::as_chars(st.digests[i]).substr(0, evidence::kShortHash));
        e.first_start = std::min(e.first_start, hb->decoded.start);
        e.last_start = std::max(e.last_start, hb->decoded.start);
        texts.push_back(hb->bytes);
    }
    std::string body;
    if (signed_body != nullptr) {
        e.kind = evidence::Kind::signed_body;
        e.body = signed_body->body;
        e.signature = signed_body->signature;
    } else {
        body = evidence::encode_texts(texts);
        e.body = body;
    }
    return detail::insert_evidence(db, st.device_id, e, now);
}

//! The batch's declared gaps, its evidence, the device's new ack (returned), last seq and
//! last seen.
Result<std::uint64_t> finish_batch(SqliteDb& db, const BatchState& st,
                                   const std::vector<pairing::Gap>& gaps,
                                   std::uint64_t acked_through, const SignedUpload* signed_body,
                                   std::int64_t now) {
    for (const auto& g : gaps) {
        if (auto r = insert_gap(db, st.device_id, g, now); !r) {
            return r.error();
        }
    }
    if (auto r = store_evidence(db, st, signed_body, now); !r) {
        return r.error();
    }
    auto ack = advance_ack(db, st, acked_through);
    if (!ack) {
        return ack.error();
    }
    auto upd = db.prepare(
        "UPDATE devices SET acked_through = ?, last_seq = ?, last_seen = ? WHERE id = ?");
    if (!upd) {
        return upd.error();
    }
    upd->bind(1, static_cast<std::int64_t>(*ack));
    upd->bind(2, static_cast<std::int64_t>(st.max_seq));
    if (auto r = upd->bind(3, now).bind(4, st.device_id).run(); !r) {
        return r.error();
    }
    return *ack;
}

//! Stores one heartbeat of a batch: counted (or held) when new, else a duplicate or a fork;
//! what it adds to the rollups goes into `rollups`, its counts into `result`.
Result<void> store_heartbeat(SqliteDb& db, const detail::TenantClock& clock,
                             const AcceptedHeartbeat& hb, std::int64_t now, BatchState& st,
                             detail::Rollups& rollups, StoreBatchResult& result) {
    const auto seq = hb.decoded.seq;
    auto found = existing(db, st, hb);
    if (!found) {
        return found.error();
    }
    const bool same = found->counted == Found::kSame || found->held == Found::kSame;
    // Held bytes seen again in the window (a bundle import) become counted.
    const bool promote = found->held == Found::kSame && !hb.held;
    if (found->counted == Found::kDifferent || found->held == Found::kDifferent) {
        ++result.forks;
        return insert_fork(db, st.device_id, seq, hb.bytes, now);
    }
    if (found->counted == Found::kPastWindow || (same && !promote)) {
        ++result.duplicates;
        if (same) {
            st.bytes[seq] = hb.bytes;
        }
        return {};
    }
    if (promote) {
        if (auto r = delete_held(db, st.device_id, seq); !r) {
            return r.error();
        }
    }
    if (hb.held) {
        if (auto r = insert_held(db, st.device_id, hb, now); !r) {
            return r.error();
        }
        ++result.held;
    } else {
        ++result.accepted;
        add_rollup(rollups, clock, st.device_id, hb, now);
        st.counted.push_back(&hb);
        st.digests.push_back(pairing::sha256(hb.bytes));
    }
    auto breaks = note_stored(db, st, hb, now, !promote);
    if (!breaks) {
        return breaks.error();
    }
    result.chain_breaks += *breaks;
    return {};
}

//! What the batch's transaction needs of its device, read once there (the row read before
//! the transaction, for the key and the lifecycle, may be stale by now).
struct IngestDevice {
    std::string tenant;
    std::uint64_t acked_through = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t evidence_floor = 0;
};

Result<std::optional<IngestDevice>> ingest_device(SqliteDb& db, std::string_view device_id) {
    auto s = db.prepare(
        "SELECT t.name, d.acked_through, d.last_seq, d.evidence_floor FROM devices d "
        "JOIN tenants t ON t.id = d.tenant_id WHERE d.id = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, device_id).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<IngestDevice>();
    }
    return std::optional<IngestDevice>(IngestDevice{
        s->text(0), static_cast<std::uint64_t>(s->int64(1)),
        static_cast<std::uint64_t>(s->int64(2)), static_cast<std::uint64_t>(s->int64(3))});
}

}  // namespace

Result<const detail::TenantClock*> SqliteStore::clock_locked(std::string_view tenant) {
    return clocks_.get(*db_, tenant);
}

Result<StoreBatchResult> SqliteStore::store_batch(std::string_view device_id,
                                                  const std::vector<AcceptedHeartbeat>& hbs,
                                                  const std::vector<pairing::Gap>& gaps,
                                                  std::int64_t now) {
    return store_batch_grouped(device_id, nullptr, hbs, gaps, now);
}

Result<StoreBatchResult> SqliteStore::store_signed_batch(std::string_view device_id,
                                                         const SignedUpload& signed_body,
                                                         const std::vector<AcceptedHeartbeat>& hbs,
                                                         const std::vector<pairing::Gap>& gaps,
                                                         std::int64_t now) {
    return store_batch_grouped(device_id, &signed_body, hbs, gaps, now);
}

void SqliteStore::store_signed_batch_async(BatchToStore batch, StoredBatchDone done) {
    // Shared by the unit (run by the writer) and the completion (after the commit).
    struct Call {
        BatchToStore batch;
        StoreBatchResult result;
    };
    auto call = std::make_shared<Call>(Call{std::move(batch), {}});
    group_commit_.run_async(
        [this, call]() -> Result<void> {
            const auto& b = call->batch;
            auto r = store_batch_locked(b.device_id, &b.signed_body, b.hbs, b.gaps, b.now);
            if (!r) {
                return r.error();
            }
            call->result = *r;
            return {};
        },
        [call, done = std::move(done)](Result<void> stored) {
            if (!stored) {
                return done(stored.error());
            }
            done(call->result);
        });
}

Result<StoreBatchResult> SqliteStore::store_batch_grouped(std::string_view device_id,
                                                          const SignedUpload* signed_body,
                                                          const std::vector<AcceptedHeartbeat>& hbs,
                                                          const std::vector<pairing::Gap>& gaps,
                                                          std::int64_t now) {
    // The batch is one savepoint of a group transaction: its dedupe and its writes commit
    // together (or not at all), and run() returns only after that commit.
    StoreBatchResult result;
    auto stored = group_commit_.run([&]() -> Result<void> {
        auto r = store_batch_locked(device_id, signed_body, hbs, gaps, now);
        if (!r) {
            return r.error();
        }
        result = *r;
        return {};
    });
    if (!stored) {
        return stored.error();
    }
    return result;
}

Result<StoreBatchResult> SqliteStore::store_batch_locked(std::string_view device_id,
                                                         const SignedUpload* signed_body,
                                                         const std::vector<AcceptedHeartbeat>& hbs,
                                                         const std::vector<pairing::Gap>& gaps,
                                                         std::int64_t now) {
    auto device = ingest_device(*db_, device_id);
    if (!device) {
        return device.error();
    }
    if (!*device) {
        return make_error("unknown_device",
                          "device " + std::string(device_id) + " is not registered");
    }
    auto clock = clock_locked((*device)->tenant);
    if (!clock) {
        return clock.error();
    }
    StoreBatchResult result;
    BatchState st;
    st.device_id = device_id;
    st.max_seq = (*device)->last_seq;
    st.floor = (*device)->evidence_floor;
    detail::Rollups rollups;  // what the counted heartbeats of this batch add
    for (const auto& hb : hbs) {
        if (auto r = store_heartbeat(*db_, **clock, hb, now, st, rollups, result); !r) {
            return r.error();
        }
    }
    if (auto r = detail::apply_rollups(*db_, (*clock)->tenant_id, rollups); !r) {
        return r.error();
    }
    auto ack = finish_batch(*db_, st, gaps, (*device)->acked_through, signed_body, now);
    if (!ack) {
        return ack.error();
    }
    result.acked_through = *ack;
    return result;
}

}  // namespace tally::server
