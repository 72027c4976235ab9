// SqliteStore::purge_evidence (purge_store.h): the evidence's end of life. A batch whose
// counted heartbeats all started more than evidence_retention_days ago is deleted (its rollups
// stay; devices.evidence_floor remembers its highest seq, so the seq is never counted again,
// and evidence_horizon keeps rebuilds off the months it touched). A batch whose heartbeats all
// started more than the acceptance window (max_backfill_days, plus a day) ago loses its short
// hashes: such a seq can no longer be counted, the watermark answers it (see
// sqlite_store_ingest.cpp).

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

}  // namespace

Result<EvidencePurgeResult> SqliteStore::purge_evidence(std::int64_t now,
                                                        const EvidencePolicy& policy) {
    if (policy.retention_days < 1 || policy.window_days < 1) {
        return make_error("bad_request",
                          "evidence_retention_days and the acceptance window "
                          "must be at least one day");
    }
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
    result.batches_deleted = *deleted;
    if (*deleted > 0) {
        auto mark = run_counted(*db_,
                                "INSERT INTO evidence_horizon(id, purged_before) VALUES (1, ?1)"
                                " ON CONFLICT(id) DO UPDATE SET purged_before ="
                                " max(purged_before, excluded.purged_before)",
                                horizon);
        if (!mark) {
            return mark.error();
        }
    }
    auto pruned = run_counted(*db_,
                              "UPDATE evidence_batches SET hashes = NULL"
                              " WHERE hashes IS NOT NULL AND last_start < ?1",
                              now - (policy.window_days + 1) * 86400);
    if (!pruned) {
        return pruned.error();
    }
    result.batches_pruned = *pruned;
    if (auto r = txn->commit(); !r) {
        return r.error();
    }
    return result;
}

}  // namespace tally::server
