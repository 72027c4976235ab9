// SqliteStore::store_batch: the dedupe and the write are one transaction (a dedupe key
// claimed apart from its write can lose a retried heartbeat; here: one savepoint of a group
// commit, see group_commit.h), forks are kept as evidence,
// out-of-window heartbeats are held (not counted), chain breaks and gaps are recorded, and
// the contiguous ack is advanced before commit.

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_device_state.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

enum class Held { kNone, kSame, kDifferent };

//! `table` is heartbeats (counted) or held_heartbeats (out of the time window).
Result<Held> held_state(SqliteDb& db, const char* table, std::string_view device_id,
                        std::uint64_t seq, std::string_view bytes) {
    auto s =
        db.prepare(std::string("SELECT bytes FROM ") + table + " WHERE device_id = ? AND seq = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq));
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return Held::kNone;
    }
    return s->text(0) == bytes ? Held::kSame : Held::kDifferent;
}

Result<void> insert_users(SqliteDb& db, std::string_view device_id, const AcceptedHeartbeat& hb) {
    const auto& d = hb.decoded;
    for (const auto& u : d.users) {
        // Duplicate (principal, local) pairs inside one heartbeat are summed, not rejected:
        // the decoder already bounded each value.
        auto us = db.prepare(
            "INSERT INTO heartbeat_users(device_id, seq, principal, local, kind, active_minutes)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT(device_id, seq, principal, local) DO UPDATE SET"
            " active_minutes = active_minutes + excluded.active_minutes");
        if (!us) {
            return us.error();
        }
        us->bind(1, device_id).bind(2, static_cast<std::int64_t>(d.seq)).bind(3, u.principal);
        us->bind(4, std::int64_t{u.local ? 1 : 0}).bind(5, u.kind);
        if (auto r = us->bind(6, std::int64_t{u.active_minutes}).run(); !r) {
            return r;
        }
    }
    return {};
}

//! Binds ?1..?7 = device_id, seq, bytes, start, end, device_active_minutes, received_at.
SqliteStatement& bind_heartbeat(SqliteStatement& s, std::string_view device_id,
                                const AcceptedHeartbeat& hb, std::int64_t now) {
    const auto& d = hb.decoded;
    s.bind(1, device_id).bind(2, static_cast<std::int64_t>(d.seq)).bind_blob(3, hb.bytes);
    s.bind(4, d.start).bind(5, d.end).bind(6, std::int64_t{d.device_active_minutes});
    return s.bind(7, now);
}

Result<void> insert_heartbeat(SqliteDb& db, std::string_view device_id, const AcceptedHeartbeat& hb,
                              std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO heartbeats(device_id, seq, bytes, start_ts, end_ts, device_active_minutes,"
        " received_at) VALUES (?,?,?,?,?,?,?)");
    if (!s) {
        return s.error();
    }
    if (auto r = bind_heartbeat(*s, device_id, hb, now).run(); !r) {
        return r;
    }
    return insert_users(db, device_id, hb);
}

//! The common case in one statement: a seq neither counted nor held is claimed and written
//! at once (the dedupe and the write stay one statement of the same transaction). False when
//! the seq is already counted or held: the caller then compares bytes (duplicate, fork,
//! promotion) as before.
Result<bool> insert_new_heartbeat(SqliteDb& db, std::string_view device_id,
                                  const AcceptedHeartbeat& hb, std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO heartbeats(device_id, seq, bytes, start_ts, end_ts, device_active_minutes,"
        " received_at) SELECT ?1,?2,?3,?4,?5,?6,?7 WHERE NOT EXISTS (SELECT 1 FROM"
        " held_heartbeats WHERE device_id = ?1 AND seq = ?2)"
        " ON CONFLICT(device_id, seq) DO NOTHING");
    if (!s) {
        return s.error();
    }
    if (auto r = bind_heartbeat(*s, device_id, hb, now).run(); !r) {
        return r.error();
    }
    if (db.changes() == 0) {
        return false;
    }
    if (auto r = insert_users(db, device_id, hb); !r) {
        return r.error();
    }
    return true;
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

//! The bytes stored for `seq`, counted or held; nullopt when neither.
Result<std::optional<std::string>> stored_bytes(SqliteDb& db, std::string_view device_id,
                                                std::uint64_t seq) {
    auto s = db.prepare(
        "SELECT bytes FROM heartbeats WHERE device_id = ?1 AND seq = ?2"
        " UNION ALL SELECT bytes FROM held_heartbeats WHERE device_id = ?1 AND seq = ?2");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq));
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(s->text(0));
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

//! What this batch has stored so far (counted or held, and duplicates of stored bytes), by
//! seq: the bytes now stored for that seq, read here instead of from the tables.
struct StoredNow {
    std::unordered_map<std::uint64_t, std::string_view> bytes;
    //! No heartbeat with a larger seq is stored (counted or held): devices.last_seq is the
    //! largest stored seq, raised by every insert.
    std::uint64_t max_seq = 0;

    Result<std::optional<std::string>> lookup(SqliteDb& db, std::string_view device_id,
                                              std::uint64_t seq) const {
        if (const auto it = bytes.find(seq); it != bytes.end()) {
            return std::optional<std::string>(std::string(it->second));
        }
        if (seq > max_seq) {
            return std::optional<std::string>();
        }
        return stored_bytes(db, device_id, seq);
    }
};

//! Checks the links between a newly stored heartbeat and its stored neighbours; returns how
//! many new breaks it recorded. A neighbour inside a declared gap is simply absent. `known`
//! must not yet include `hb` itself.
Result<std::uint32_t> check_chain(SqliteDb& db, std::string_view device_id,
                                  const AcceptedHeartbeat& hb, const StoredNow& known,
                                  std::int64_t now) {
    std::uint32_t breaks = 0;
    const auto seq = hb.decoded.seq;
    if (seq > 1) {
        auto before = known.lookup(db, device_id, seq - 1);
        if (!before) {
            return before.error();
        }
        if (*before && pairing::chain_hash(**before) != hb.decoded.prev) {
            auto r = record_break(db, device_id, seq, now);
            if (!r) {
                return r.error();
            }
            breaks += *r ? 1 : 0;
        }
    }
    auto after = known.lookup(db, device_id, seq + 1);
    if (!after) {
        return after.error();
    }
    if (*after) {
        auto next = pairing::decode_heartbeat(**after);
        if (next && next->prev != pairing::chain_hash(hb.bytes)) {
            auto r = record_break(db, device_id, seq + 1, now);
            if (!r) {
                return r.error();
            }
            breaks += *r ? 1 : 0;
        }
    }
    return breaks;
}

//! Records a heartbeat this batch just stored in `known`; with `check`, first checks its links
//! to its stored neighbours (check_chain). Returns the chain breaks it recorded.
Result<std::uint32_t> note_stored(SqliteDb& db, std::string_view device_id,
                                  const AcceptedHeartbeat& hb, StoredNow& known, std::int64_t now,
                                  bool check) {
    std::uint32_t breaks = 0;
    if (check) {
        auto r = check_chain(db, device_id, hb, known, now);
        if (!r) {
            return r.error();
        }
        breaks = *r;
    }
    known.bytes[hb.decoded.seq] = hb.bytes;
    known.max_seq = std::max(known.max_seq, hb.decoded.seq);
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

//! The contiguous ack from `from`: stored seqs (counted or held: the agent may delete held
//! ones too) and declared gaps.
Result<std::uint64_t> advance_ack(SqliteDb& db, std::string_view device_id, std::uint64_t from,
                                  const StoredNow& known) {
    auto held = db.prepare(
        "SELECT 1 FROM heartbeats WHERE device_id = ?1 AND seq = ?2"
        " UNION ALL SELECT 1 FROM held_heartbeats WHERE device_id = ?1 AND seq = ?2");
    if (!held) {
        return held.error();
    }
    auto gap = db.prepare(
        "SELECT max(to_seq) FROM gaps WHERE device_id = ? AND from_seq <= ? AND to_seq >= ?");
    if (!gap) {
        return gap.error();
    }
    std::uint64_t ack = from;
    for (;;) {
        if (known.bytes.count(ack + 1) > 0) {
            ++ack;
            continue;
        }
        const auto next = static_cast<std::int64_t>(ack + 1);
        auto row = held->reset().bind(1, device_id).bind(2, next).step();
        if (!row) {
            return row.error();
        }
        if (*row) {
            ack = static_cast<std::uint64_t>(next);
            continue;
        }
        auto grow = gap->reset().bind(1, device_id).bind(2, next).bind(3, next).step();
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

//! The batch's declared gaps, the device's new ack (returned), last seq and last seen.
Result<std::uint64_t> finish_batch(SqliteDb& db, std::string_view device_id,
                                   const std::vector<pairing::Gap>& gaps,
                                   std::uint64_t acked_through, const StoredNow& known,
                                   std::int64_t now) {
    for (const auto& g : gaps) {
        if (auto r = insert_gap(db, device_id, g, now); !r) {
            return r.error();
        }
    }
    auto ack = advance_ack(db, device_id, acked_through, known);
    if (!ack) {
        return ack.error();
    }
    auto upd = db.prepare(
        "UPDATE devices SET acked_through = ?, last_seq = ?, last_seen = ? WHERE id = ?");
    if (!upd) {
        return upd.error();
    }
    upd->bind(1, static_cast<std::int64_t>(*ack));
    upd->bind(2, static_cast<std::int64_t>(known.max_seq));
    if (auto r = upd->bind(3, now).bind(4, device_id).run(); !r) {
        return r.error();
    }
    return *ack;
}

//! Stores one heartbeat of a batch: counted (or held) when new, else a duplicate or a fork;
//! what it adds to the rollups goes into `rollups`, its counts into `result`.
Result<void> store_heartbeat(SqliteDb& db, const detail::TenantClock& clock,
                             std::string_view device_id, const AcceptedHeartbeat& hb,
                             std::int64_t now, StoredNow& known, detail::Rollups& rollups,
                             StoreBatchResult& result) {
    const auto seq = hb.decoded.seq;
    if (!hb.held) {
        auto inserted = insert_new_heartbeat(db, device_id, hb, now);
        if (!inserted) {
            return inserted.error();
        }
        if (*inserted) {
            ++result.accepted;
            add_rollup(rollups, clock, device_id, hb, now);
            auto breaks = note_stored(db, device_id, hb, known, now, true);
            if (!breaks) {
                return breaks.error();
            }
            result.chain_breaks += *breaks;
            return {};
        }
    }
    auto state = held_state(db, "heartbeats", device_id, seq, hb.bytes);
    if (!state) {
        return state.error();
    }
    bool promote = false;
    if (*state == Held::kNone) {
        auto held = held_state(db, "held_heartbeats", device_id, seq, hb.bytes);
        if (!held) {
            return held.error();
        }
        // Held bytes seen again in the window (a bundle import) become counted.
        promote = *held == Held::kSame && !hb.held;
        state = promote ? Held::kNone : *held;
    }
    switch (*state) {
        case Held::kSame:
            ++result.duplicates;
            known.bytes[seq] = hb.bytes;
            break;
        case Held::kDifferent:
            if (auto r = insert_fork(db, device_id, seq, hb.bytes, now); !r) {
                return r.error();
            }
            ++result.forks;
            break;
        case Held::kNone: {
            if (promote) {
                if (auto r = delete_held(db, device_id, seq); !r) {
                    return r.error();
                }
            }
            auto r = hb.held ? insert_held(db, device_id, hb, now)
                             : insert_heartbeat(db, device_id, hb, now);
            if (!r) {
                return r.error();
            }
            ++(hb.held ? result.held : result.accepted);
            if (!hb.held) {
                add_rollup(rollups, clock, device_id, hb, now);
            }
            auto breaks = note_stored(db, device_id, hb, known, now, !promote);
            if (!breaks) {
                return breaks.error();
            }
            result.chain_breaks += *breaks;
            break;
        }
    }
    return {};
}

}  // namespace

Result<const detail::TenantClock*> SqliteStore::clock_locked(std::string_view tenant) {
    return clocks_.get(*db_, tenant);
}

Result<StoreBatchResult> SqliteStore::store_batch(std::string_view device_id,
                                                  const std::vector<AcceptedHeartbeat>& hbs,
                                                  const std::vector<pairing::Gap>& gaps,
                                                  std::int64_t now) {
    // The batch is one savepoint of a group transaction: its dedupe and its writes commit
    // together (or not at all), and run() returns only after that commit.
    StoreBatchResult result;
    auto stored = group_commit_.run([&]() -> Result<void> {
        auto r = store_batch_locked(device_id, hbs, gaps, now);
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
                                                         const std::vector<AcceptedHeartbeat>& hbs,
                                                         const std::vector<pairing::Gap>& gaps,
                                                         std::int64_t now) {
    auto device = find_device_locked(device_id);
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
    StoredNow known;
    known.max_seq = (*device)->last_seq;
    detail::Rollups rollups;  // what the counted heartbeats of this batch add
    for (const auto& hb : hbs) {
        if (auto r = store_heartbeat(*db_, **clock, device_id, hb, now, known, rollups, result);
            !r) {
            return r.error();
        }
    }
    if (auto r = detail::apply_rollups(*db_, (*clock)->tenant_id, rollups); !r) {
        return r.error();
    }
    auto ack = finish_batch(*db_, device_id, gaps, (*device)->acked_through, known, now);
    if (!ack) {
        return ack.error();
    }
    result.acked_through = *ack;
    return result;
}

}  // namespace tally::server
