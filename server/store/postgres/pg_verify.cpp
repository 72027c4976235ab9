// PostgresStore::verify_evidence: the checks of server/store/evidence_walk.h (the SQLite
// store's, shared) on PostgreSQL's rows, read in one REPEATABLE READ snapshot. The tenant's
// evidence rows from the UTC month received two days before its month starts on are walked by
// device and first seq: a served batch's signed body must verify with the device's registered
// key byte for byte, every body must decode, each counted heartbeat's link to the one before
// it must hold or have been recorded as a break on arrival; the rollups recomputed from the
// counted heartbeats of the month must equal the stored rows (months, days, billing buckets).

#include <optional>
#include <string>
#include <vector>

#include "pairing/time_format.h"
#include "server/store/evidence_walk.h"
#include "server/store/postgres/pg_evidence.h"
#include "server/store/postgres/pg_rollups.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

using detail::EvidenceRow;

constexpr std::string_view kRedactedPrefix = "redacted-";

//! One heartbeat_evidence row read for the walk: its entries own the bytes it points into.
struct PgBatch {
    EvidenceRow row;
    std::vector<std::string> entries;
    std::string problem;
};

//! Reads row `i` of a batch query (id, device, kind, counted, received_at, body, signature).
PgBatch read_batch(const PgResult& r, int i) {
    PgBatch b;
    b.row.id = r.is_null(i, 0) ? 0 : r.int64(i, 0);
    b.row.device_id = r.text(i, 1);
    const auto kind = r.int64(i, 2);
    const auto counted = r.is_null(i, 3) ? std::string() : r.text(i, 3);
    b.row.received_at = r.int64(i, 4);
    b.row.body = r.hex_bytes(i, 5);
    b.row.signature = r.is_null(i, 6) ? std::string() : r.hex_bytes(i, 6);
    auto entries = pg_evidence_entries(kind, b.row.body, counted);
    if (!entries) {
        b.problem = "evidence batch " + std::to_string(b.row.id) + ": " + entries.error().message;
    } else {
        b.entries = std::move(*entries);
    }
    const bool signed_body = kind == static_cast<std::int64_t>(PgEvidenceKind::signed_body);
    b.row.kind = signed_body ? evidence::Kind::signed_body : evidence::Kind::texts;
    for (auto& e : b.entries) {
        if (e.starts_with(kRedactedPrefix)) {
            // Re-encoded by the purge: the bytes are the surrogates', not the device's.
            b.row.kind = evidence::Kind::redacted;
            e.erase(0, e.find('\n') + 1);
        }
    }
    if (auto ranges = evidence::decode_ranges(counted); signed_body && ranges) {
        b.row.counted = std::move(*ranges);
    }
    return b;
}

//! The counted heartbeats of a batch, in seq order (a body lists them ascending).
std::vector<detail::CountedHeartbeat> counted_of(const PgBatch& b) {
    std::vector<detail::CountedHeartbeat> out;
    for (const auto& e : b.entries) {
        if (auto hb = pairing::decode_heartbeat(e); hb) {
            out.push_back({&b.row, hb->seq, e});
        }
    }
    return out;
}

//! The walk's lookups on PostgreSQL, in the caller's transaction.
class PgLookup final : public detail::EvidenceLookup {
  public:
    explicit PgLookup(PgConnection& c) : c_(c) {}

    Result<std::string> public_key(const std::string& device) override {
        auto r = c_.exec("SELECT encode(public_key, 'hex') FROM devices WHERE id = $1",
                         {pg_param(device)});
        if (!r) {
            return r.error();
        }
        return r->rows() > 0 ? r->hex_bytes(0, 0) : std::string();
    }

    Result<std::optional<std::string>> stored_bytes(const std::string& device,
                                                    std::uint64_t seq) override {
        const auto s = static_cast<std::int64_t>(seq);
        auto held = c_.exec(
            "SELECT encode(bytes, 'hex') FROM held_heartbeats WHERE device_id = $1 AND seq = $2",
            {pg_param(device), pg_param(s)});
        if (!held) {
            return held.error();
        }
        if (held->rows() > 0) {
            return std::optional<std::string>(held->hex_bytes(0, 0));
        }
        auto r = c_.exec(
            "SELECT id, device_id, kind, counted, received_at, encode(body, 'hex'),"
            " encode(signature, 'hex') FROM heartbeat_evidence WHERE device_id = $1"
            " AND first_seq <= $2 ORDER BY first_seq DESC",
            {pg_param(device), pg_param(s)});
        if (!r) {
            return r.error();
        }
        for (int i = 0; i < r->rows(); ++i) {
            const auto b = read_batch(*r, i);
            for (const auto& c : counted_of(b)) {
                if (c.seq == seq) {
                    // A redacted heartbeat's bytes are not the device's: its link is not checkable.
                    return b.row.kind == evidence::Kind::redacted
                               ? std::nullopt
                               : std::optional<std::string>(std::string(c.bytes));
                }
            }
        }
        return std::optional<std::string>();
    }

    Result<bool> break_recorded(const std::string& device, std::uint64_t seq) override {
        auto r = c_.exec("SELECT 1 FROM chain_breaks WHERE device_id = $1 AND seq = $2",
                         {pg_param(device), pg_param(static_cast<std::int64_t>(seq))});
        if (!r) {
            return r.error();
        }
        return r->rows() > 0;
    }

  private:
    PgConnection& c_;
};

//! [first, next) local day numbers of month YYYYMM.
std::pair<std::int64_t, std::int64_t> month_days(std::int64_t month) {
    const auto first = pairing::days_from_civil(static_cast<int>(month / 100),
                                                static_cast<unsigned>(month % 100), 1);
    const auto next = pg_next_month(month);
    return {first, pairing::days_from_civil(static_cast<int>(next / 100),
                                            static_cast<unsigned>(next % 100), 1)};
}

Result<void> read_days(PgConnection& c, std::int64_t tid, std::int64_t month,
                       detail::Rollups& out) {
    const auto [first, next] = month_days(month);
    const PgParams p = {pg_param(tid), pg_param(first), pg_param(next)};
    const std::string days =
        " JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = $1 AND x.day >= $2 AND x.day < $3";
    auto dd = c.exec(
        "SELECT x.device_id, x.day, x.heartbeats, x.active_minutes,"
        " x.active_users, x.last_end FROM rollup_device_day x" +
            days,
        p);
    auto b = c.exec(
        "SELECT x.device_id, x.hour, x.day, x.late, x.segment, x.heartbeats,"
        " x.active_minutes, x.first_start, x.last_end FROM rollup_bucket x" +
            days,
        p);
    auto u = c.exec(
        "SELECT x.device_id, x.hour, x.day, x.late, x.segment, x.principal,"
        " x.local, x.active_minutes, x.first_start, x.last_end"
        " FROM rollup_bucket_user x" +
            days,
        p);
    for (const auto* r : {&dd, &b, &u}) {
        if (!*r) {
            return r->error();
        }
    }
    for (int i = 0; i < dd->rows(); ++i) {
        out.device_days[{dd->text(i, 0), dd->int64(i, 1)}] = {dd->int64(i, 2), dd->int64(i, 3),
                                                              dd->int64(i, 4), dd->int64(i, 5)};
    }
    for (int i = 0; i < b->rows(); ++i) {
        out.buckets[{b->text(i, 0), b->int64(i, 1), b->int64(i, 2), b->boolean(i, 3),
                     b->int64(i, 4)}] = {b->int64(i, 5), b->int64(i, 6), b->int64(i, 7),
                                         b->int64(i, 8)};
    }
    for (int i = 0; i < u->rows(); ++i) {
        const detail::BucketKey key{u->text(i, 0), u->int64(i, 1), u->int64(i, 2), u->boolean(i, 3),
                                    u->int64(i, 4)};
        out.bucket_users[{key, u->text(i, 5), u->boolean(i, 6)}] = {u->int64(i, 7), u->int64(i, 8),
                                                                    u->int64(i, 9)};
    }
    auto ud = c.exec(
        "SELECT x.device_id, x.day, x.principal, x.local, x.active_minutes"
        " FROM rollup_user_day x" +
            days,
        p);
    if (!ud) {
        return ud.error();
    }
    for (int i = 0; i < ud->rows(); ++i) {
        out.user_days[{ud->text(i, 0), ud->int64(i, 1), ud->text(i, 2), ud->boolean(i, 3)}] =
            ud->int64(i, 4);
    }
    return {};
}

//! Walks the tenant's batches received from UTC month `from` on and recomputes the month's
//! rollups from their counted heartbeats (`unrecomputable`: why that failed, else empty).
Result<void> walk_batches(PgConnection& c, const detail::TenantClock& clock, std::int64_t month,
                          std::int64_t from, EvidenceCheck& out, detail::Rollups& expected,
                          std::string& unrecomputable) {
    auto r = c.exec(
        "SELECT e.id, e.device_id, e.kind, e.counted, e.received_at, encode(e.body, 'hex'),"
        " encode(e.signature, 'hex') FROM heartbeat_evidence e"
        " JOIN devices d ON d.id = e.device_id WHERE d.tenant_id = $1 AND e.month >= $2"
        " ORDER BY e.device_id, e.first_seq",
        {pg_param(clock.tenant_id), pg_param(from)});
    if (!r) {
        return r.error();
    }
    PgLookup lookup(c);
    detail::EvidenceWalk walk(lookup, clock, month, out);
    for (int i = 0; i < r->rows(); ++i) {
        const auto b = read_batch(*r, i);
        const auto counted = counted_of(b);
        if (auto w = walk.batch(b.row, counted, b.problem); !w) {
            return w;
        }
        if (!b.problem.empty() && unrecomputable.empty()) {
            unrecomputable = b.problem;
        }
        for (const auto& hb : counted) {
            auto d = pairing::decode_heartbeat(hb.bytes);
            if (d && clock.month_day(d->start).first == month) {
                expected.add(clock,
                             detail::rollup_heartbeat(b.row.device_id, b.row.received_at, *d));
            }
        }
    }
    expected.finish_active_users();
    return {};
}

Result<EvidenceCheck> verify(PgConnection& c, PgZones& zones, std::string_view tenant,
                             std::string_view month) {
    if (auto r = c.command("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r) {
        return r.error();
    }
    auto tid = detail::pg_tenant_id(c, tenant);
    if (!tid) {
        return tid.error();
    }
    auto clock = pg_tenant_clock(c, zones, *tid, true);
    if (!clock) {
        return clock.error();
    }
    const auto range = clock->tz.month_range(month);
    if (!range) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    EvidenceCheck out;
    out.time_zone = clock->tz.name();
    const auto number = clock->month_day(range->first).first;
    detail::Rollups expected;
    std::string unrecomputable;
    if (auto r = walk_batches(c, *clock, number, pg_utc_month(range->first - 2 * 86400), out,
                              expected, unrecomputable);
        !r) {
        return r.error();
    }
    auto held = c.exec(
        "SELECT count(*) FROM held_heartbeats x JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = $1 AND x.start_ts >= $2 AND x.start_ts < $3",
        {pg_param(*tid), pg_param(range->first), pg_param(range->second)});
    if (!held) {
        return held.error();
    }
    out.held = held->int64(0, 0);
    if (!unrecomputable.empty()) {
        out.rollup_differences.push_back("not recomputable from the evidence: " + unrecomputable);
        return out;
    }
    auto stored = pg_read_month_rollups(c, *tid, number);
    if (!stored) {
        return stored.error();
    }
    if (auto r = read_days(c, *tid, number, *stored); !r) {
        return r.error();
    }
    detail::compare_rollups(expected, *stored, out);
    return out;
}

}  // namespace

Result<EvidenceCheck> PostgresStore::verify_evidence(std::string_view tenant,
                                                     std::string_view month) {
    return pg_transaction(*pool_,
                          [&](PgConnection& c) { return verify(c, zones_, tenant, month); });
}

}  // namespace tally::server
