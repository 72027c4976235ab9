// PostgresStore::store_batch (PROTOCOL.md §5) for any number of servers over one database.
// The batch's transaction first locks its device's row (SELECT … FOR UPDATE): batches of one
// device, retries racing on two servers included, run one after the other, and the second
// sees every seq the first stored (READ COMMITTED: each statement reads what has committed).
// The stored seqs are one narrow unpartitioned table, heartbeat_seqs (device, seq, 64 bits of
// the heartbeat's hash and of its `prev`): a seq is claimed by INSERT … ON CONFLICT DO NOTHING
// RETURNING, so even without the lock no seq could be counted twice. Dedupe, forks and chain
// breaks compare those hashes; the bytes of newly counted heartbeats go to the month's evidence
// partition in one row per batch, held ones to held_heartbeats, forks to forks. The rollups are
// added (pg_rollups.h) and the contiguous ack advanced before commit.

#include <algorithm>
#include <map>
#include <set>

#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_batch.h"
#include "server/store/postgres/pg_array.h"
#include "server/store/postgres/pg_device_state.h"
#include "server/store/postgres/pg_evidence.h"
#include "server/store/postgres/pg_rollups.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

//! 64 bits of a hex SHA-256 (its first 16 digits), as stored in heartbeat_seqs.
std::int64_t short_hash(std::string_view hex) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
        const char ch = hex[i];
        const unsigned nibble = ch <= '9' ? static_cast<unsigned>(ch - '0')
                                          : static_cast<unsigned>((ch | 0x20) - 'a' + 10);
        v = (v << 4) | (nibble & 15);
    }
    return static_cast<std::int64_t>(v);
}

struct SeqRow {
    std::int64_t hash = 0;
    std::int64_t prev = 0;
    bool held = false;
};

struct DeviceRow {
    std::int64_t tenant_id = 0;
    std::uint64_t acked_through = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t seq_floor = 0;
};

//! What the batch writes, gathered while each heartbeat is judged, then written in a few
//! multi-row statements.
struct Writes {
    PgArray seq, hash, prev, held;  // new heartbeat_seqs rows
    std::vector<std::string_view> counted;
    std::vector<std::uint64_t> counted_seqs;
    std::int64_t first_counted = 0;
    const SignedUpload* signed_body = nullptr;  //!< the request as received, when served
    std::vector<const AcceptedHeartbeat*> held_rows;
    std::vector<std::int64_t> promoted;
    std::vector<const AcceptedHeartbeat*> forks;
    std::set<std::uint64_t> breaks;
};

//! Judges one batch against the stored seqs: pure, no SQL.
class BatchJudge {
  public:
    BatchJudge(std::map<std::uint64_t, SeqRow> stored, std::uint64_t floor)
        : known_(std::move(stored)), floor_(floor) {}

    void judge(const AcceptedHeartbeat& hb, StoreBatchResult& result, Writes& w,
               std::vector<const AcceptedHeartbeat*>& newly_counted) {
        const auto seq = hb.decoded.seq;
        const SeqRow row{short_hash(pairing::chain_hash(hb.bytes)), short_hash(hb.decoded.prev),
                         hb.held};
        const auto it = known_.find(seq);
        if (it == known_.end() && seq <= floor_) {
            ++result.duplicates;  // its row was dropped by retention: it was stored once
            return;
        }
        if (it == known_.end()) {
            check_chain(seq, row, w);
            known_[seq] = row;
            w.seq.int64(static_cast<std::int64_t>(seq));
            w.hash.int64(row.hash);
            w.prev.int64(row.prev);
            w.held.boolean(hb.held);
            if (hb.held) {
                w.held_rows.push_back(&hb);
                ++result.held;
            } else {
                count(hb, w, newly_counted);
                ++result.accepted;
            }
            return;
        }
        if (it->second.hash != row.hash) {
            w.forks.push_back(&hb);
            ++result.forks;
        } else if (it->second.held && !hb.held) {
            // Held bytes seen again in the window (a bundle import) become counted.
            it->second.held = false;
            w.promoted.push_back(static_cast<std::int64_t>(seq));
            count(hb, w, newly_counted);
            ++result.accepted;
        } else {
            ++result.duplicates;
        }
    }

    const std::map<std::uint64_t, SeqRow>& known() const { return known_; }

  private:
    static void count(const AcceptedHeartbeat& hb, Writes& w,
                      std::vector<const AcceptedHeartbeat*>& newly_counted) {
        if (w.counted.empty()) {
            w.first_counted = static_cast<std::int64_t>(hb.decoded.seq);
        }
        w.counted.push_back(hb.bytes);
        w.counted_seqs.push_back(hb.decoded.seq);
        newly_counted.push_back(&hb);
    }

    //! A neighbour inside a declared gap is simply absent.
    void check_chain(std::uint64_t seq, const SeqRow& row, Writes& w) const {
        if (seq > 1) {
            if (const auto b = known_.find(seq - 1);
                b != known_.end() && b->second.hash != row.prev) {
                w.breaks.insert(seq);
            }
        }
        if (const auto a = known_.find(seq + 1); a != known_.end() && a->second.prev != row.hash) {
            w.breaks.insert(seq + 1);
        }
    }

    std::map<std::uint64_t, SeqRow> known_;
    std::uint64_t floor_;
};

//! Locks the device's row and reads it with its tenant's clock, in one statement.
Result<std::optional<DeviceRow>> lock_device(PgConnection& c, PgZones& zones,
                                             std::string_view device_id,
                                             std::optional<detail::TenantClock>& clock) {
    auto r = c.exec(
        "SELECT d.tenant_id, d.acked_through, d.last_seq, d.seq_floor, t.time_zone,"
        " t.grace_hours, t.trial_end, t.inactive_since, (SELECT string_agg(s.since || ',' ||"
        " s.until, ';') FROM tenant_inactive_spans s WHERE s.tenant_id = t.id)"
        " FROM devices d JOIN tenants t ON t.id = d.tenant_id WHERE d.id = $1 FOR UPDATE OF d",
        {pg_param(device_id)});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return std::optional<DeviceRow>();
    }
    auto made =
        pg_clock_of(zones, r->int64(0, 0), r->text(0, 4), r->int64(0, 5), r->opt_int64(0, 6),
                    r->opt_int64(0, 7), r->is_null(0, 8) ? std::string() : r->text(0, 8));
    if (!made) {
        return made.error();
    }
    clock = std::move(*made);
    return std::optional<DeviceRow>(DeviceRow{
        r->int64(0, 0), static_cast<std::uint64_t>(r->int64(0, 1)),
        static_cast<std::uint64_t>(r->int64(0, 2)), static_cast<std::uint64_t>(r->int64(0, 3))});
}

//! The stored rows of the batch's seqs and of their neighbours.
Result<std::map<std::uint64_t, SeqRow>> stored_seqs(PgConnection& c, std::string_view device_id,
                                                    const std::vector<AcceptedHeartbeat>& hbs) {
    std::set<std::int64_t> wanted;
    for (const auto& hb : hbs) {
        const auto s = static_cast<std::int64_t>(hb.decoded.seq);
        wanted.insert({s - 1, s, s + 1});
    }
    PgArray seqs;
    for (const auto s : wanted) {
        seqs.int64(s);
    }
    auto r = c.exec(
        "SELECT seq, hash, prev, held FROM heartbeat_seqs WHERE device_id = $1"
        " AND seq = ANY($2::bigint[])",
        {pg_param(device_id), seqs.param()});
    if (!r) {
        return r.error();
    }
    std::map<std::uint64_t, SeqRow> out;
    for (int i = 0; i < r->rows(); ++i) {
        out[static_cast<std::uint64_t>(r->int64(i, 0))] = {r->int64(i, 1), r->int64(i, 2),
                                                           r->boolean(i, 3)};
    }
    return out;
}

Result<void> write_seqs(PgConnection& c, std::string_view device_id, const Writes& w,
                        std::int64_t now) {
    if (w.seq.size() == 0) {
        return {};
    }
    auto r = c.exec(
        "INSERT INTO heartbeat_seqs(device_id, seq, hash, prev, held, month)"
        " SELECT $1, s, h, p, x, $6 FROM unnest($2::bigint[], $3::bigint[], $4::bigint[],"
        " $5::bool[]) AS t(s, h, p, x) ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq",
        {pg_param(device_id), w.seq.param(), w.hash.param(), w.prev.param(), w.held.param(),
         pg_param(pg_utc_month(now))});
    if (!r) {
        return r.error();
    }
    if (static_cast<std::size_t>(r->rows()) != w.seq.size()) {
        // Another transaction stored one of these seqs in between (the device lock makes this
        // impossible for store_batch): judge the batch again on what is stored now.
        return make_error("db_retry", "a seq of the batch was stored concurrently");
    }
    return {};
}

//! The batch's evidence row: the signed body with its signature and counted seqs when the
//! batch was served, else the list of the counted heartbeats' bytes.
Result<void> write_counted(PgConnection& c, std::string_view device_id, const Writes& w,
                           std::int64_t now) {
    if (w.counted.empty()) {
        return {};
    }
    if (w.signed_body == nullptr) {
        auto r = c.exec(
            "INSERT INTO heartbeat_evidence(month, device_id, first_seq, received_at, body, kind)"
            " VALUES ($1, $2, $3, $4, decode($5, 'hex'), 1)",
            {pg_param(pg_utc_month(now)), pg_param(device_id), pg_param(w.first_counted),
             pg_param(now), pg_hex_param(pg_encode_evidence(w.counted))});
        return r ? Result<void>() : Result<void>(r.error());
    }
    auto seqs = w.counted_seqs;
    std::sort(seqs.begin(), seqs.end());
    auto r = c.exec(
        "INSERT INTO heartbeat_evidence(month, device_id, first_seq, received_at, body, kind,"
        " counted, signature) VALUES ($1, $2, $3, $4, decode($5, 'hex'), 0, $6,"
        " decode($7, 'hex'))",
        {pg_param(pg_utc_month(now)), pg_param(device_id),
         pg_param(static_cast<std::int64_t>(seqs.front())), pg_param(now),
         pg_hex_param(w.signed_body->body), pg_param(evidence::encode_ranges(seqs)),
         pg_hex_param(w.signed_body->signature)});
    return r ? Result<void>() : Result<void>(r.error());
}

Result<void> write_evidence(PgConnection& c, std::string_view device_id, const Writes& w,
                            std::int64_t now) {
    if (auto r = write_counted(c, device_id, w, now); !r) {
        return r;
    }
    for (const auto* hb : w.held_rows) {
        auto r = c.exec(
            "INSERT INTO held_heartbeats(device_id, seq, bytes, start_ts, end_ts, reason,"
            " received_at) VALUES ($1, $2, decode($3, 'hex'), $4, $5, 'out_of_window', $6)",
            {pg_param(device_id), pg_param(static_cast<std::int64_t>(hb->decoded.seq)),
             pg_hex_param(hb->bytes), pg_param(hb->decoded.start), pg_param(hb->decoded.end),
             pg_param(now)});
        if (!r) {
            return r.error();
        }
    }
    if (!w.promoted.empty()) {
        PgArray seqs;
        for (const auto s : w.promoted) {
            seqs.int64(s);
        }
        for (const char* sql :
             {"UPDATE heartbeat_seqs SET held = false WHERE device_id = $1"
              " AND seq = ANY($2::bigint[])",
              "DELETE FROM held_heartbeats WHERE device_id = $1 AND seq = ANY($2::bigint[])"}) {
            if (auto r = c.exec(sql, {pg_param(device_id), seqs.param()}); !r) {
                return r.error();
            }
        }
    }
    return {};
}

Result<void> write_forks(PgConnection& c, std::string_view device_id, const Writes& w,
                         std::int64_t now) {
    for (const auto* hb : w.forks) {
        auto r = c.exec(
            "INSERT INTO forks(device_id, seq, bytes_sha256, bytes, received_at)"
            " VALUES ($1, $2, $3, decode($4, 'hex'), $5) ON CONFLICT DO NOTHING",
            {pg_param(device_id), pg_param(static_cast<std::int64_t>(hb->decoded.seq)),
             pg_param(pairing::chain_hash(hb->bytes)), pg_hex_param(hb->bytes), pg_param(now)});
        if (!r) {
            return r.error();
        }
    }
    if (!w.forks.empty()) {
        if (auto r = detail::pg_record_fork_state(c, device_id); !r) {
            return r.error();
        }
    }
    return {};
}

//! Records the batch's chain breaks; returns how many were new.
Result<std::uint32_t> write_breaks(PgConnection& c, std::string_view device_id, const Writes& w,
                                   std::int64_t now) {
    if (w.breaks.empty()) {
        return 0u;
    }
    PgArray seqs;
    for (const auto s : w.breaks) {
        seqs.int64(static_cast<std::int64_t>(s));
    }
    auto r = c.exec(
        "INSERT INTO chain_breaks(device_id, seq, received_at) SELECT $1, s, $3"
        " FROM unnest($2::bigint[]) AS t(s) ON CONFLICT DO NOTHING RETURNING seq",
        {pg_param(device_id), seqs.param(), pg_param(now)});
    if (!r) {
        return r.error();
    }
    return static_cast<std::uint32_t>(r->rows());
}

//! The end of the run of stored seqs from `next` (0 when `next` is not stored).
Result<std::uint64_t> stored_run(PgConnection& c, std::string_view device_id, std::uint64_t next) {
    auto r = c.exec(
        "SELECT s.seq FROM heartbeat_seqs s WHERE s.device_id = $1 AND s.seq >= $2"
        " AND EXISTS (SELECT 1 FROM heartbeat_seqs f WHERE f.device_id = $1 AND f.seq = $2)"
        " AND NOT EXISTS (SELECT 1 FROM heartbeat_seqs n WHERE n.device_id = $1"
        " AND n.seq = s.seq + 1) ORDER BY s.seq LIMIT 1",
        {pg_param(device_id), pg_param(static_cast<std::int64_t>(next))});
    if (!r) {
        return r.error();
    }
    return r->rows() > 0 ? static_cast<std::uint64_t>(r->int64(0, 0)) : 0;
}

//! The contiguous ack from `from`: stored seqs (counted or held) and declared gaps. No seq
//! above `highest` (the largest stored) is looked up.
Result<std::uint64_t> advance_ack(PgConnection& c, std::string_view device_id, std::uint64_t from,
                                  const BatchJudge& judge, std::uint64_t floor,
                                  std::uint64_t highest) {
    std::uint64_t ack = std::max(from, floor);
    for (;;) {
        if (judge.known().count(ack + 1) > 0) {
            ++ack;
            continue;
        }
        if (ack + 1 <= highest) {
            auto run = stored_run(c, device_id, ack + 1);
            if (!run) {
                return run.error();
            }
            if (*run > 0) {
                ack = *run;
                continue;
            }
        }
        auto gap = c.exec(
            "SELECT max(to_seq) FROM gaps WHERE device_id = $1 AND from_seq <= $2"
            " AND to_seq >= $2",
            {pg_param(device_id), pg_param(static_cast<std::int64_t>(ack + 1))});
        if (!gap) {
            return gap.error();
        }
        if (gap->rows() == 0 || gap->is_null(0, 0)) {
            return ack;
        }
        ack = static_cast<std::uint64_t>(gap->int64(0, 0));
    }
}

Result<std::uint64_t> finish_batch(PgConnection& c, std::string_view device_id,
                                   const std::vector<pairing::Gap>& gaps, const DeviceRow& device,
                                   const BatchJudge& judge, std::int64_t now) {
    for (const auto& g : gaps) {
        auto r = c.exec(
            "INSERT INTO gaps(device_id, from_seq, to_seq, reason, received_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            {pg_param(device_id), pg_param(static_cast<std::int64_t>(g.from_seq)),
             pg_param(static_cast<std::int64_t>(g.to_seq)), pg_param(g.reason), pg_param(now)});
        if (!r) {
            return r.error();
        }
    }
    std::uint64_t last = device.last_seq;
    if (!judge.known().empty()) {
        last = std::max(last, judge.known().rbegin()->first);
    }
    auto ack = advance_ack(c, device_id, device.acked_through, judge, device.seq_floor, last);
    if (!ack) {
        return ack.error();
    }
    auto r =
        c.exec("UPDATE devices SET acked_through = $1, last_seq = $2, last_seen = $3 WHERE id = $4",
               {pg_param(static_cast<std::int64_t>(*ack)),
                pg_param(static_cast<std::int64_t>(last)), pg_param(now), pg_param(device_id)});
    if (!r) {
        return r.error();
    }
    return *ack;
}

}  // namespace

Result<StoreBatchResult> PostgresStore::store_batch(std::string_view device_id,
                                                    const std::vector<AcceptedHeartbeat>& hbs,
                                                    const std::vector<pairing::Gap>& gaps,
                                                    std::int64_t now) {
    return store_batch_with(device_id, nullptr, hbs, gaps, now);
}

Result<StoreBatchResult> PostgresStore::store_signed_batch(
    std::string_view device_id, const SignedUpload& signed_body,
    const std::vector<AcceptedHeartbeat>& hbs, const std::vector<pairing::Gap>& gaps,
    std::int64_t now) {
    return store_batch_with(device_id, &signed_body, hbs, gaps, now);
}

Result<StoreBatchResult> PostgresStore::store_batch_with(std::string_view device_id,
                                                         const SignedUpload* signed_body,
                                                         const std::vector<AcceptedHeartbeat>& hbs,
                                                         const std::vector<pairing::Gap>& gaps,
                                                         std::int64_t now) {
    if (auto r = ensure_partition(pg_utc_month(now)); !r) {
        return r.error();
    }
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<StoreBatchResult> {
        std::optional<detail::TenantClock> clock;
        auto device = lock_device(c, zones_, device_id, clock);
        if (!device) {
            return device.error();
        }
        if (!*device) {
            return make_error("unknown_device",
                              "device " + std::string(device_id) + " is not registered");
        }
        auto stored = stored_seqs(c, device_id, hbs);
        if (!stored) {
            return stored.error();
        }
        StoreBatchResult result;
        Writes w;
        w.signed_body = signed_body;
        BatchJudge judge(std::move(*stored), (*device)->seq_floor);
        std::vector<const AcceptedHeartbeat*> counted;
        for (const auto& hb : hbs) {
            judge.judge(hb, result, w, counted);
        }
        for (const auto& step : {write_seqs, write_evidence, write_forks}) {
            if (auto r = step(c, device_id, w, now); !r) {
                return r.error();
            }
        }
        auto breaks = write_breaks(c, device_id, w, now);
        if (!breaks) {
            return breaks.error();
        }
        result.chain_breaks = *breaks;
        detail::Rollups rollups;
        for (const auto* hb : counted) {
            const auto& d = hb->decoded;
            detail::RollupHeartbeat r{std::string(device_id),
                                      d.start,
                                      d.end,
                                      now,
                                      std::int64_t{d.device_active_minutes},
                                      {}};
            for (const auto& u : d.users) {
                r.users.push_back({u.principal, u.local, std::int64_t{u.active_minutes}});
            }
            rollups.add(*clock, r);
        }
        if (auto r = pg_apply_rollups(c, (*device)->tenant_id, rollups); !r) {
            return r.error();
        }
        auto ack = finish_batch(c, device_id, gaps, **device, judge, now);
        if (!ack) {
            return ack.error();
        }
        result.acked_through = *ack;
        return result;
    });
}

Result<void> PostgresStore::ensure_partition(std::int64_t month) {
    {
        std::lock_guard lock(partitions_mutex_);
        if (partitions_.contains(month)) {
            return {};
        }
    }
    if (auto r = pg_ensure_partition(*pool_, month); !r) {
        return r;
    }
    std::lock_guard lock(partitions_mutex_);
    partitions_.insert(month);
    return {};
}

}  // namespace tally::server
