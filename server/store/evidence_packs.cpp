// The evidence_packs table (see evidence_packs.h).

#include "server/store/evidence_packs.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "pairing/heartbeat.h"
#include "server/store/evidence_compact.h"
#include "server/store/evidence_pack_codec.h"
#include "server/store/evidence_rows.h"

namespace tally::server::detail {
namespace {

// A chunk (one transaction of the purge) reads at most this much evidence; a pack holds at
// most kPackBatches batches (a device-day is 24 at the steady batch of 12).
constexpr std::size_t kChunkBytes = 8u << 20;
constexpr std::size_t kChunkBatches = 4096;
constexpr std::size_t kPackBatches = 1024;

std::int64_t utc_day(std::int64_t t) {
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

struct Candidate {
    std::string device_id;
    evidence::PackedBatch batch;
    std::string hashes;  //!< its short hashes while its seqs can still arrive, else empty
};

Candidate candidate_of(const SqliteStatement& s) {
    Candidate c;
    c.device_id = s.text(1);
    auto& b = c.batch;
    b.id = s.int64(0);
    b.first_seq = s.int64(2);
    b.last_seq = s.int64(3);
    b.counted = s.text(4);
    b.first_start = s.int64(5);
    b.last_start = s.int64(6);
    b.received_at = s.int64(7);
    b.kind = static_cast<evidence::Kind>(s.int64(8));
    b.signature = s.text(9);
    b.body = s.text(10);
    c.hashes = s.text(11);
    if (b.kind == evidence::Kind::signed_body) {
        // Packed within days of its arrival, a signed body may not have been compacted yet.
        if (auto small = evidence::compact(b.body)) {
            b.kind = evidence::Kind::compact;
            b.body = std::move(*small);
        }
    }
    return c;
}

//! A pack's short hashes in seq order with the seqs they belong to (ranges text); nullopt
//! when no batch of it has its hashes any more (past the window) or they do not line up.
std::optional<std::pair<std::string, std::string>> pack_hashes(
    const std::vector<evidence::PackedBatch>& batches, const std::vector<std::string>& hashes) {
    std::map<std::uint64_t, std::string_view> by_seq;
    for (std::size_t i = 0; i < batches.size(); ++i) {
        auto ranges = evidence::decode_ranges(batches[i].counted);
        if (!ranges || hashes[i].empty()) {
            return std::nullopt;
        }
        std::size_t at = 0;
        for (const auto& [a, b] : *ranges) {
            for (auto seq = a; seq <= b; ++seq, at += evidence::kShortHash) {
                if (at + evidence::kShortHash > hashes[i].size()) {
                    return std::nullopt;
                }
                by_seq[seq] = std::string_view(hashes[i]).substr(at, evidence::kShortHash);
            }
        }
    }
    std::vector<std::uint64_t> seqs;
    std::string joined;
    for (const auto& [seq, hash] : by_seq) {
        seqs.push_back(seq);
        joined += hash;
    }
    return std::make_pair(evidence::encode_ranges(seqs), std::move(joined));
}

//! Keeps pack `pack_id`'s short hashes beside it (evidence_pack_hashes) while its seqs can
//! still arrive: what ingest's find_counted reads for a packed seq.
Result<void> write_pack_hashes(SqliteDb& db, std::int64_t pack_id, const std::string& device_id,
                               const std::vector<evidence::PackedBatch>& batches,
                               const std::vector<std::string>& hashes, std::int64_t first_seq,
                               std::int64_t last_seq, std::int64_t last_start) {
    const auto joined = pack_hashes(batches, hashes);
    if (!joined) {
        return {};
    }
    auto ins = db.prepare(
        "INSERT INTO evidence_pack_hashes(pack_id, device_id, first_seq, last_seq, last_start,"
        " counted, hashes) VALUES (?,?,?,?,?,?,?)");
    if (!ins) {
        return ins.error();
    }
    ins->bind(1, pack_id).bind(2, device_id).bind(3, first_seq).bind(4, last_seq);
    return ins->bind(5, last_start).bind(6, joined->first).bind_blob(7, joined->second).run();
}

//! Writes one pack of `device_id`'s `batches` (and their short hashes while the window
//! lasts), deletes them, raises the device's floor.
Result<void> write_pack(SqliteDb& db, const std::string& device_id,
                        const std::vector<evidence::PackedBatch>& batches,
                        const std::vector<std::string>& hashes) {
    const auto encoded = evidence::encode_pack(batches);
    std::int64_t first_seq = batches.front().first_seq;
    std::int64_t last_seq = batches.front().last_seq;
    std::int64_t first_start = batches.front().first_start;
    std::int64_t last_start = batches.front().last_start;
    for (const auto& b : batches) {
        first_seq = std::min(first_seq, b.first_seq);
        last_seq = std::max(last_seq, b.last_seq);
        first_start = std::min(first_start, b.first_start);
        last_start = std::max(last_start, b.last_start);
    }
    auto ins = db.prepare(
        "INSERT INTO evidence_packs(device_id, first_seq, last_seq, first_start, last_start,"
        " batches, signatures, body) VALUES (?,?,?,?,?,?,?,?)");
    if (!ins) {
        return ins.error();
    }
    ins->bind(1, device_id).bind(2, first_seq).bind(3, last_seq).bind(4, first_start);
    ins->bind(5, last_start).bind(6, static_cast<std::int64_t>(batches.size()));
    if (auto r = ins->bind_blob(7, encoded.signatures).bind_blob(8, encoded.body).run(); !r) {
        return r;
    }
    if (auto r = write_pack_hashes(db, sqlite3_last_insert_rowid(db.handle()), device_id, batches,
                                   hashes, first_seq, last_seq, last_start);
        !r) {
        return r;
    }
    auto del = db.prepare("DELETE FROM evidence_batches WHERE id = ?");
    if (!del) {
        return del.error();
    }
    for (const auto& b : batches) {
        if (auto r = del->reset().bind(1, b.id).run(); !r) {
            return r;
        }
    }
    auto floor =
        db.prepare("UPDATE devices SET evidence_floor = max(evidence_floor, ?) WHERE id = ?");
    if (!floor) {
        return floor.error();
    }
    return floor->bind(1, last_seq).bind(2, device_id).run();
}

}  // namespace

Result<PackedChunk> pack_chunk(SqliteDb& db, std::int64_t before, PackCursor& cursor) {
    auto s = db.prepare(
        "SELECT e.id, e.device_id, e.first_seq, e.last_seq, e.counted, e.first_start,"
        " e.last_start, e.received_at, e.kind, e.signature, e.body, e.hashes"
        " FROM evidence_batches e JOIN devices d ON d.id = e.device_id"
        " WHERE e.last_start < ?1 AND e.last_seq <= d.acked_through"
        " AND (e.device_id > ?2 OR (e.device_id = ?2 AND e.first_seq > ?3))"
        " ORDER BY e.device_id, e.first_seq");
    if (!s) {
        return s.error();
    }
    s->bind(1, before).bind(2, cursor.device_id).bind(3, cursor.first_seq);
    PackedChunk out;
    std::vector<evidence::PackedBatch> group;
    std::vector<std::string> group_hashes;
    std::string device;
    std::int64_t day = 0;
    std::size_t bytes = 0;
    std::size_t read = 0;
    const auto flush = [&]() -> Result<void> {
        if (group.empty()) {
            return {};
        }
        if (auto r = write_pack(db, device, group, group_hashes); !r) {
            return r;
        }
        out.batches += static_cast<std::int64_t>(group.size());
        ++out.packs;
        cursor = {device, group.back().first_seq};
        group.clear();
        group_hashes.clear();
        return {};
    };
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            out.done = true;
            break;
        }
        auto c = candidate_of(*s);
        const bool same = c.device_id == device && utc_day(c.batch.last_start) == day &&
                          group.size() < kPackBatches;
        if (!same && (bytes >= kChunkBytes || read >= kChunkBatches)) {
            break;  // the chunk is full; the next one starts with this batch
        }
        if (!same) {
            if (auto r = flush(); !r) {
                return r.error();
            }
            device = c.device_id;
            day = utc_day(c.batch.last_start);
        }
        bytes += c.batch.body.size();
        ++read;
        group.push_back(std::move(c.batch));
        group_hashes.push_back(std::move(c.hashes));
    }
    if (auto r = flush(); !r) {
        return r.error();
    }
    return out;
}

Result<std::vector<PackedRow>> pack_rows(std::int64_t pack_id, const std::string& device_id,
                                         std::string_view body, std::string_view signatures) {
    auto batches = evidence::decode_pack(body, signatures);
    if (!batches) {
        return make_error("bad_evidence", "evidence pack " + std::to_string(pack_id) + ": " +
                                              batches.error().message);
    }
    std::vector<PackedRow> out;
    for (auto& b : *batches) {
        PackedRow p{
            {b.id, device_id, b.kind, {}, b.received_at, std::move(b.body), std::move(b.signature)},
            std::move(b.counted),
            b.first_start,
            b.last_start};
        p.row.pack_id = pack_id;
        out.push_back(std::move(p));
    }
    return out;
}

Result<std::optional<std::string>> packed_bytes(SqliteDb& db, std::string_view device_id,
                                                std::uint64_t seq) {
    auto s = db.prepare(
        "SELECT id, body, signatures FROM evidence_packs WHERE device_id = ?1"
        " AND first_seq <= ?2 AND last_seq >= ?2");
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
            return std::optional<std::string>();
        }
        auto pack = pack_rows(s->int64(0), std::string(device_id), s->text(1), s->text(2));
        if (!pack) {
            return pack.error();
        }
        for (const auto& p : *pack) {
            auto ranges = evidence::decode_ranges(p.counted);
            if (!ranges || !evidence::in_ranges(*ranges, seq)) {
                continue;
            }
            auto all = evidence::heartbeats_of(p.row.kind, p.row.body);
            if (!all) {
                return all.error();
            }
            for (auto& bytes : *all) {
                auto hb = pairing::decode_heartbeat(bytes);
                if (hb && hb->seq == seq) {
                    return std::optional<std::string>(std::move(bytes));
                }
            }
        }
    }
}

Result<std::optional<PackedSeq>> find_packed(SqliteDb& db, std::string_view device_id,
                                             std::uint64_t seq) {
    auto s = db.prepare(
        "SELECT pack_id, counted, hashes FROM evidence_pack_hashes WHERE device_id = ?1"
        " AND last_seq >= ?2 AND first_seq <= ?2 ORDER BY last_seq");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, static_cast<std::int64_t>(seq));
    auto row = first_row_counting(*s, seq);
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<PackedSeq>();
    }
    if ((*row)->hash.empty()) {
        return make_error("bad_evidence", "evidence pack " + std::to_string((*row)->id) +
                                              ": short hashes do not match its seqs");
    }
    return std::optional<PackedSeq>(PackedSeq{(*row)->id, std::move((*row)->hash)});
}

Result<void> redact_packed(SqliteDb& db, std::int64_t pack_id,
                           const std::map<std::int64_t, std::string>& redacted) {
    auto s = db.prepare("SELECT body, signatures FROM evidence_packs WHERE id = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, pack_id).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("not_found", "evidence pack " + std::to_string(pack_id));
    }
    auto batches = evidence::decode_pack(s->text(0), s->text(1));
    if (!batches) {
        return batches.error();
    }
    for (auto& b : *batches) {
        if (const auto it = redacted.find(b.id); it != redacted.end()) {
            b.kind = evidence::Kind::redacted;
            b.signature.clear();
            b.body = it->second;
        }
    }
    const auto encoded = evidence::encode_pack(*batches);
    auto upd = db.prepare("UPDATE evidence_packs SET body = ?, signatures = ? WHERE id = ?");
    if (!upd) {
        return upd.error();
    }
    return upd->bind_blob(1, encoded.body).bind_blob(2, encoded.signatures).bind(3, pack_id).run();
}

}  // namespace tally::server::detail
