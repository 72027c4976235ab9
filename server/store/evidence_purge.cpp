// SqliteStore::purge_evidence (purge_store.h): the evidence's end of life. A batch whose
// counted heartbeats all started more than evidence_retention_days ago is deleted (its rollups
// stay; devices.evidence_floor remembers its highest seq, so the seq is never counted again,
// and evidence_horizon keeps rebuilds off the months it touched). A batch whose heartbeats all
// started more than the acceptance window (max_backfill_days, plus a day) ago loses its short
// hashes: such a seq can no longer be counted, the watermark answers it (see
// sqlite_store_ingest.cpp). Signed bodies are stored in their compact form
// (evidence_compact.h) when it rebuilds their exact bytes, a chunk of batches per transaction
// so ingest waits little. Then the batches of every UTC day that ended at least
// EvidencePolicy::pack_after_days ago (a day, well inside the window) are packed, a
// device-day per `evidence_packs` row (evidence_packs.h): each pack is written with its short
// hashes beside it (evidence_pack_hashes, while the window lasts), its batches deleted and
// the device's evidence_floor raised in one transaction (a chunk of packs per transaction),
// so a crash leaves every batch either in its row or in its pack, and a second run finds
// nothing left to pack. A pack's short hashes are dropped when its heartbeats leave the
// window; the pack is deleted whole once its last batch is past the retention.

#include <algorithm>

#include "server/store/evidence_compact.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

Result<std::int64_t> run_counted(SqliteDb& db, const char* sql, std::int64_t at) {
    auto s = db.prepare(sql);
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, at).run(); !r) {
        return r.error();
    }
    return db.changes();
}

constexpr int kCompactChunk = 64;

//! How many batches the packs past the retention horizon hold.
Result<std::int64_t> packed_past(SqliteDb& db, std::int64_t horizon) {
    auto s =
        db.prepare("SELECT coalesce(sum(batches), 0) FROM evidence_packs WHERE last_start < ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, horizon).step();
    if (!row) {
        return row.error();
    }
    return s->int64(0);
}

//! Drops the short hashes kept beside packs whose heartbeats all started before `edge`
//! (past the window, or past the retention with their pack); returns their batches.
Result<std::int64_t> prune_pack_hashes(SqliteDb& db, std::int64_t edge) {
    auto s = db.prepare(
        "SELECT coalesce(sum(p.batches), 0) FROM evidence_pack_hashes h"
        " JOIN evidence_packs p ON p.id = h.pack_id WHERE h.last_start < ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, edge).step();
    if (!row) {
        return row.error();
    }
    const auto batches = s->int64(0);
    auto deleted = run_counted(db, "DELETE FROM evidence_pack_hashes WHERE last_start < ?1", edge);
    if (!deleted) {
        return deleted.error();
    }
    return batches;
}

}  // namespace

Result<std::int64_t> SqliteStore::compact_evidence_chunk(std::int64_t& after, bool& done) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto s = db_->prepare(
        "SELECT id, body FROM evidence_batches WHERE kind = 0 AND id > ? ORDER BY id LIMIT ?");
    if (!s) {
        return s.error();
    }
    std::vector<std::pair<std::int64_t, std::string>> rows;
    if (auto r = s->bind(1, after)
                     .bind(2, std::int64_t{kCompactChunk})
                     .each_row([&](const SqliteStatement& row) {
                         rows.emplace_back(row.int64(0), row.text(1));
                     });
        !r) {
        return r.error();
    }
    done = rows.size() < static_cast<std::size_t>(kCompactChunk);
    auto upd = db_->prepare("UPDATE evidence_batches SET kind = 3, body = ? WHERE id = ?");
    if (!upd) {
        return upd.error();
    }
    std::int64_t compacted = 0;
    for (const auto& [id, body] : rows) {
        after = id;
        const auto small = evidence::compact(body);
        if (!small) {
            continue;  // kept as received
        }
        if (auto r = upd->reset().bind_blob(1, *small).bind(2, id).run(); !r) {
            return r.error();
        }
        ++compacted;
    }
    if (auto r = txn->commit(); !r) {
        return r.error();
    }
    return compacted;
}

Result<EvidencePurgeResult> SqliteStore::purge_evidence(std::int64_t now,
                                                        const EvidencePolicy& policy) {
    if (policy.retention_days < 1 || policy.window_days < 1) {
        return make_error("bad_request",
                          "evidence_retention_days and the acceptance window "
                          "must be at least one day");
    }
    auto result = purge_evidence_locked(now, policy);
    if (!result) {
        return result;
    }
    std::int64_t after = 0;
    for (bool done = false; !done;) {
        auto n = compact_evidence_chunk(after, done);
        if (!n) {
            return n.error();
        }
        result->batches_compacted += *n;
    }
    if (!policy.pack) {
        return result;
    }
    // Whole UTC days that ended at least pack_after_days ago (a day: the hourly uploads of a
    // day are in by then; a batch of that day arriving later stays a row until a later run
    // packs it into a second pack of the day). Their short hashes go beside the pack until
    // the window ends, so ingest still tells a duplicate from a fork.
    const auto edge = now - std::max<std::int64_t>(policy.pack_after_days, 1) * 86400;
    const auto before = edge - ((edge % 86400) + 86400) % 86400;
    detail::PackCursor cursor;
    for (bool done = false; !done;) {
        auto chunk = pack_evidence_chunk(before, cursor);
        if (!chunk) {
            return chunk.error();
        }
        result->batches_packed += chunk->batches;
        result->packs_written += chunk->packs;
        done = chunk->done;
    }
    return result;
}

Result<detail::PackedChunk> SqliteStore::pack_evidence_chunk(std::int64_t before,
                                                             detail::PackCursor& cursor) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto chunk = detail::pack_chunk(*db_, before, cursor);
    if (!chunk) {
        return chunk.error();
    }
    if (auto r = txn->commit(); !r) {
        return r.error();
    }
    return chunk;
}

Result<EvidencePurgeResult> SqliteStore::purge_evidence_locked(std::int64_t now,
                                                               const EvidencePolicy& policy) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    const auto horizon = now - policy.retention_days * 86400;
    EvidencePurgeResult result;
    auto floors = run_counted(*db_,
                              "UPDATE devices SET evidence_floor = max(evidence_floor, (SELECT"
                              " max(e.last_seq) FROM evidence_batches e WHERE e.device_id ="
                              " devices.id AND e.last_start < ?1)) WHERE id IN (SELECT device_id"
                              " FROM evidence_batches WHERE last_start < ?1)",
                              horizon);
    if (!floors) {
        return floors.error();
    }
    auto deleted = run_counted(*db_, "DELETE FROM evidence_batches WHERE last_start < ?1", horizon);
    if (!deleted) {
        return deleted.error();
    }
    auto packed = packed_past(*db_, horizon);
    if (!packed) {
        return packed.error();
    }
    auto packs = run_counted(*db_, "DELETE FROM evidence_packs WHERE last_start < ?1", horizon);
    if (!packs) {
        return packs.error();
    }
    result.batches_deleted = *deleted + *packed;
    if (*deleted > 0 || *packs > 0) {
        auto mark = run_counted(*db_,
                                "INSERT INTO evidence_horizon(id, purged_before) VALUES (1, ?1)"
                                " ON CONFLICT(id) DO UPDATE SET purged_before ="
                                " max(purged_before, excluded.purged_before)",
                                horizon);
        if (!mark) {
            return mark.error();
        }
    }
    const auto window_edge = now - (policy.window_days + 1) * 86400;
    auto pruned = run_counted(*db_,
                              "UPDATE evidence_batches SET hashes = NULL"
                              " WHERE hashes IS NOT NULL AND last_start < ?1",
                              window_edge);
    if (!pruned) {
        return pruned.error();
    }
    auto packed_pruned = prune_pack_hashes(*db_, std::max(window_edge, horizon));
    if (!packed_pruned) {
        return packed_pruned.error();
    }
    result.batches_pruned = *pruned + *packed_pruned;
    if (auto r = txn->commit(); !r) {
        return r.error();
    }
    return result;
}

}  // namespace tally::server
