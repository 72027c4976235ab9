// SqliteStore::device_evidence: what the server holds about a device's delivery beyond its
// counted heartbeats (declared gaps, forks, chain breaks, held heartbeats, revocation), so a
// report reader can reconcile the agent's numbers with the server's.

#include <algorithm>
#include <utility>
#include <vector>

#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

Result<std::int64_t> count(SqliteDb& db, const std::string& sql, std::string_view device_id) {
    auto s = db.prepare(sql);
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id);
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    return *row ? s->int64(0) : 0;
}

}  // namespace

Result<DeviceEvidence> SqliteStore::device_evidence_locked(std::string_view device_id) {
    DeviceEvidence e;
    // Gap ranges may overlap (re-declared after a spool repair): count the union.
    // Those with reason server_lost (the server lost what it had acknowledged) also apart.
    auto gaps = db_->prepare(
        "SELECT from_seq, to_seq, reason = 'server_lost' FROM gaps WHERE device_id = ?"
        " ORDER BY from_seq, to_seq");
    if (!gaps) {
        return gaps.error();
    }
    gaps->bind(1, device_id);
    std::int64_t covered_to = 0;
    std::int64_t lost_covered_to = 0;
    for (;;) {
        auto row = gaps->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        const auto from = std::max(gaps->int64(0), covered_to + 1);
        const auto to = gaps->int64(1);
        if (to >= from) {
            e.gap_seqs += static_cast<std::uint64_t>(to - from + 1);
            covered_to = to;
        }
        const auto lost_from = std::max(gaps->int64(0), lost_covered_to + 1);
        if (gaps->int64(2) != 0 && to >= lost_from) {
            e.lost_by_server += static_cast<std::uint64_t>(to - lost_from + 1);
            lost_covered_to = to;
        }
    }
    const std::pair<const char*, std::uint64_t*> counts[] = {
        {"SELECT count(DISTINCT seq) FROM forks WHERE device_id = ?", &e.forks},
        {"SELECT count(*) FROM chain_breaks WHERE device_id = ?", &e.chain_breaks},
        {"SELECT count(*) FROM held_heartbeats WHERE device_id = ?", &e.held},
    };
    for (const auto& [sql, out] : counts) {
        auto n = count(*db_, sql, device_id);
        if (!n) {
            return n.error();
        }
        *out = static_cast<std::uint64_t>(*n);
    }
    auto revoked = count(*db_,
                         "SELECT count(*) FROM devices WHERE id = ? AND retired_at IS NOT NULL"
                         " AND retire_reason = 'revoked'",
                         device_id);
    if (!revoked) {
        return revoked.error();
    }
    e.revoked = *revoked > 0;
    auto tofu = count(*db_,
                      "SELECT count(*) FROM device_enrollments WHERE device_id = ?"
                      " AND method = 'import_tofu'",
                      device_id);
    if (!tofu) {
        return tofu.error();
    }
    e.trust_on_first_use = *tofu > 0;
    return e;
}

Result<DeviceEvidence> SqliteStore::device_evidence(std::string_view device_id) {
    std::lock_guard lock(mutex_);
    return device_evidence_locked(device_id);
}

}  // namespace tally::server
