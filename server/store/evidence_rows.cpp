// The evidence_batches table (see evidence_rows.h).

#include "server/store/evidence_rows.h"

#include "pairing/heartbeat.h"
#include "server/store/evidence_packs.h"

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

//! Decodes `row`'s body and counted ranges and hands them to `fn` (see each_evidence_batch).
Result<void> visit(EvidenceRow& row, std::string_view counted_text, bool tolerant,
                   const BatchFn& fn) {
    std::string problem;
    std::vector<CountedHeartbeat> counted;
    auto ranges = evidence::decode_ranges(counted_text);
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
    return fn(row, counted, problem);
}

//! The batches of a pack with a counted heartbeat starting in [from, to); a pack that does not
//! decode is one problem (an unsigned row naming it) unless not `tolerant`.
Result<void> visit_pack(std::int64_t pack_id, const std::string& device_id, std::string_view body,
                        std::string_view signatures, std::int64_t from, std::int64_t to,
                        bool tolerant, const BatchFn& fn) {
    auto pack = pack_rows(pack_id, device_id, body, signatures);
    if (!pack && (!tolerant || pack.error().code != "bad_evidence")) {
        return pack.error();
    }
    if (!pack) {
        EvidenceRow row{pack_id, device_id, evidence::Kind::texts, {}, 0, {}, {}, pack_id};
        return fn(row, {}, pack.error().message);
    }
    for (auto& p : *pack) {
        if (p.last_start < from || p.first_start >= to) {
            continue;
        }
        if (auto r = visit(p.row, p.counted, tolerant, fn); !r) {
            return r;
        }
    }
    return {};
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

Result<std::optional<SeqRow>> first_row_counting(SqliteStatement& s, std::uint64_t seq) {
    for (;;) {
        auto row = s.step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return std::optional<SeqRow>();
        }
        auto ranges = evidence::decode_ranges(s.text(1));
        if (!ranges) {
            return ranges.error();
        }
        if (!evidence::in_ranges(*ranges, seq)) {
            continue;
        }
        SeqRow found{s.int64(0), {}};
        const auto hashes = s.text(2);
        const auto at = evidence::index_in_ranges(*ranges, seq) * evidence::kShortHash;
        if (at + evidence::kShortHash <= hashes.size()) {
            found.hash = hashes.substr(at, evidence::kShortHash);
        }
        return std::optional<SeqRow>(std::move(found));
    }
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
    auto row = first_row_counting(*s, seq);
    if (!row) {
        return row.error();
    }
    if (*row) {
        return std::optional<CountedSeq>(CountedSeq{(*row)->id, std::move((*row)->hash)});
    }
    // Packed within the acceptance window: its short hash is kept beside the pack.
    auto packed = find_packed(db, device_id, seq);
    if (!packed) {
        return packed.error();
    }
    if (!*packed) {
        return std::optional<CountedSeq>();
    }
    return std::optional<CountedSeq>(CountedSeq{0, (*packed)->hash, (*packed)->pack_id});
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
    if ((*found)->pack_id != 0) {
        return packed_bytes(db, device_id, seq);
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
    // Batches and packs of batches (column 0: 1 for a pack), in one order.
    auto s = db.prepare(
        "SELECT 0, e.id, e.device_id, e.kind, e.counted, e.received_at, e.body, e.signature,"
        " e.first_seq FROM devices d JOIN evidence_batches e ON e.device_id = d.id"
        " WHERE d.tenant_id = ?1 AND e.last_start >= ?2 AND e.first_start < ?3"
        " UNION ALL SELECT 1, p.id, p.device_id, 0, '', 0, p.body, p.signatures, p.first_seq"
        " FROM devices d JOIN evidence_packs p ON p.device_id = d.id"
        " WHERE d.tenant_id = ?1 AND p.last_start >= ?2 AND p.first_start < ?3"
        " ORDER BY 3, 9");
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
        if (s->int64(0) == 1) {
            if (auto r = visit_pack(s->int64(1), s->text(2), s->text(6), s->text(7), from, to,
                                    tolerant, fn);
                !r) {
                return r;
            }
            continue;
        }
        EvidenceRow row{s->int64(1), s->text(2),  static_cast<evidence::Kind>(s->int64(3)),
                        {},          s->int64(5), s->text(6),
                        s->text(7)};
        if (auto r = visit(row, s->text(4), tolerant, fn); !r) {
            return r;
        }
    }
}

}  // namespace tally::server::detail
