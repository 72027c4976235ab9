// The evidence_batches table (see evidence_rows.h).

#include "server/store/evidence_rows.h"

#include "pairing/heartbeat.h"

namespace tally::server::detail {
namespace {

//! The counted heartbeats of `row`'s body, in seq order.
Result<std::vector<CountedHeartbeat>> counted_of(const EvidenceRow& row,
                                                 const std::vector<std::string>& all) {
    std::vector<CountedHeartbeat> out;
    for (const auto& bytes : all) {
        // The seq is the first field of the canonical encoding; decode to be sure of it.
        auto hb = pairing::decode_heartbeat(bytes);
        if (!hb) {
            continue;  // a signed body holds only decodable heartbeats; texts likewise
        }
        if (evidence::in_ranges(row.counted, hb->seq)) {
            out.push_back({&row, hb->seq, bytes});
        }
    }
    return out;
}

}  // namespace

Result<void> insert_evidence(SqliteDb& db, std::string_view device_id, const NewEvidence& e,
                             std::int64_t now) {
    auto s = db.prepare(
        "INSERT INTO evidence_batches(device_id, first_seq, last_seq, counted, first_start,"
        " last_start, received_at, kind, signature, body, hashes)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(e.seqs.front()));
    s->bind(3, static_cast<std::int64_t>(e.seqs.back())).bind(4, evidence::encode_ranges(e.seqs));
    s->bind(5, e.first_start).bind(6, e.last_start).bind(7, now);
    s->bind(8, static_cast<std::int64_t>(e.kind));
    if (e.signature.empty()) {
        s->bind(9, std::optional<std::int64_t>());
    } else {
        s->bind_blob(9, e.signature);
    }
    return s->bind_blob(10, e.body).bind_blob(11, e.hashes).run();
}

Result<std::optional<CountedSeq>> find_counted(SqliteDb& db, std::string_view device_id,
                                               std::uint64_t seq) {
    auto s = db.prepare(
        "SELECT id, counted, hashes FROM evidence_batches WHERE device_id = ?1"
        " AND first_seq <= ?2 AND last_seq >= ?2 ORDER BY first_seq DESC");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq));
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return std::optional<CountedSeq>();
        }
        auto ranges = evidence::decode_ranges(s->text(1));
        if (!ranges) {
            return ranges.error();
        }
        if (!evidence::in_ranges(*ranges, seq)) {
            continue;
        }
        CountedSeq found{s->int64(0), {}};
        const auto hashes = s->text(2);
        const auto at = evidence::index_in_ranges(*ranges, seq) * evidence::kShortHash;
        if (at + evidence::kShortHash <= hashes.size()) {
            found.hash = hashes.substr(at, evidence::kShortHash);
        }
        return std::optional<CountedSeq>(std::move(found));
    }
}

Result<std::optional<std::string>> counted_bytes(SqliteDb& db, std::string_view device_id,
                                                 std::uint64_t seq) {
    auto found = find_counted(db, device_id, seq);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return std::optional<std::string>();
    }
    auto s = db.prepare("SELECT kind, body FROM evidence_batches WHERE id = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, (*found)->batch_id).step();
    if (!row) {
        return row.error();
    }
    auto all = evidence::heartbeats_of(static_cast<evidence::Kind>(s->int64(0)), s->text(1));
    if (!all) {
        return all.error();
    }
    for (auto& bytes : *all) {
        auto hb = pairing::decode_heartbeat(bytes);
        if (hb && hb->seq == seq) {
            return std::optional<std::string>(std::move(bytes));
        }
    }
    return std::optional<std::string>();
}

Result<void> each_evidence_batch(SqliteDb& db, std::int64_t tenant_id, std::int64_t from,
                                 std::int64_t to, bool tolerant, const BatchFn& fn) {
    auto s = db.prepare(
        "SELECT e.id, e.device_id, e.kind, e.counted, e.received_at, e.body, e.signature"
        " FROM devices d JOIN evidence_batches e ON e.device_id = d.id"
        " WHERE d.tenant_id = ?1 AND e.last_start >= ?2 AND e.first_start < ?3"
        " ORDER BY e.device_id, e.first_seq");
    if (!s) {
        return s.error();
    }
    s->bind(1, tenant_id).bind(2, from).bind(3, to);
    for (;;) {
        auto step = s->step();
        if (!step) {
            return step.error();
        }
        if (!*step) {
            return {};
        }
        EvidenceRow row{s->int64(0), s->text(1),  static_cast<evidence::Kind>(s->int64(2)),
                        {},          s->int64(4), s->text(5),
                        s->text(6)};
        std::string problem;
        std::vector<CountedHeartbeat> counted;
        auto ranges = evidence::decode_ranges(s->text(3));
        auto all = ranges ? evidence::heartbeats_of(row.kind, row.body)
                          : Result<std::vector<std::string>>(ranges.error());
        if (ranges && all) {
            row.counted = std::move(*ranges);
            counted = *counted_of(row, *all);
        } else {
            problem = "evidence batch " + std::to_string(row.id) + ": " +
                      (ranges ? all.error().message : ranges.error().message);
            if (!tolerant) {
                return make_error("bad_evidence", problem);
            }
        }
        for (auto& c : counted) {
            c.batch = &row;
        }
        if (auto r = fn(row, counted, problem); !r) {
            return r;
        }
    }
}

}  // namespace tally::server::detail
