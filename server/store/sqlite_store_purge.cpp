// SqliteStore::purge_users: DESIGN.md §5 rule 4, "user metadata is deleted permanently 90
// days after release". Deleted means gone from every table, not hidden: each principal of a
// purged user is replaced by one random surrogate ("purged-<hex>", so past months still count
// that person once), heartbeat bytes that name it (counted, held and forked) are replaced by
// "redacted-sha256:<hex of the bytes>" (duplicate and chain checks of such old seqs compare
// hashes from then on), and secure_delete plus a WAL checkpoint keep the old text out of
// freed pages and the WAL.

#include <map>
#include <set>
#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/billing/billing_engine.h"
#include "server/billing/user_key.h"
#include "server/billing/user_retention.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

std::string redacted(std::string_view bytes) {
    return "redacted-sha256:" + pairing::hex_encode(pairing::sha256(bytes));
}

struct RawUser {
    std::string principal;
    bool local = false;
    std::string device_id;
};

//! Replaces bytes naming a purged user in `table` (heartbeats, held_heartbeats, forks).
Result<std::int64_t> redact_table(SqliteDb& db, const char* table, std::int64_t tenant_id,
                                  const std::vector<AliasFact>& aliases,
                                  const std::set<std::string>& purged) {
    auto s = db.prepare(std::string("SELECT x.rowid, x.device_id, x.bytes FROM ") + table +
                        " x JOIN devices d ON d.id = x.device_id WHERE d.tenant_id = ?"
                        " AND substr(x.bytes, 1, 9) <> 'redacted-'");
    if (!s) {
        return s.error();
    }
    s->bind(1, tenant_id);
    std::vector<std::pair<std::int64_t, std::string>> hits;
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        const auto bytes = s->text(2);
        auto hb = pairing::decode_heartbeat(bytes);
        if (!hb) {
            continue;  // not a heartbeat we can read: it names no user we could match
        }
        for (const auto& u : hb->users) {
            const auto key = billing::resolve_alias(
                aliases, billing::user_key(u.principal, u.local, s->text(1)));
            if (purged.contains(key)) {
                hits.emplace_back(s->int64(0), redacted(bytes));
                break;
            }
        }
    }
    auto upd = db.prepare(std::string("UPDATE ") + table + " SET bytes = ? WHERE rowid = ?");
    if (!upd) {
        return upd.error();
    }
    for (const auto& [rowid, text] : hits) {
        if (auto r = upd->reset().bind_blob(1, text).bind(2, rowid).run(); !r) {
            return r.error();
        }
    }
    return static_cast<std::int64_t>(hits.size());
}

//! The tenant's alias facts (alias key -> user key).
Result<std::vector<AliasFact>> read_aliases(SqliteDb& db, std::int64_t tid) {
    std::vector<AliasFact> aliases;
    auto s = db.prepare("SELECT alias_key, user_key FROM user_aliases WHERE tenant_id = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, tid);
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        aliases.push_back({s->text(0), s->text(1)});
    }
    return aliases;
}

//! Every raw user of the tenant, grouped by canonical user (`raws`), with its last signal
//! (`last`); surrogates (already purged) are left out.
Result<void> read_raw_users(SqliteDb& db, std::int64_t tid, const std::vector<AliasFact>& aliases,
                            std::map<std::string, std::vector<RawUser>>& raws,
                            std::map<std::string, std::int64_t>& last) {
    auto s = db.prepare(
        "SELECT hu.principal, hu.local, CASE WHEN hu.local THEN hu.device_id ELSE '' END,"
        " max(h.end_ts) FROM heartbeat_users hu"
        " JOIN heartbeats h ON h.device_id = hu.device_id AND h.seq = hu.seq"
        " JOIN devices d ON d.id = h.device_id WHERE d.tenant_id = ? GROUP BY 1, 2, 3");
    if (!s) {
        return s.error();
    }
    s->bind(1, tid);
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        RawUser u{s->text(0), s->int64(1) != 0, s->text(2)};
        const auto key =
            billing::resolve_alias(aliases, billing::user_key(u.principal, u.local, u.device_id));
        if (billing::is_surrogate(key)) {
            continue;
        }
        last[key] = std::max(last[key], s->int64(3));
        raws[key].push_back(std::move(u));
    }
    return {};
}

//! Moves one raw user's heartbeat_users rows onto `surrogate` (merged into an existing row of
//! the same heartbeat), then deletes the raw rows.
Result<void> surrogate_raw_user(SqliteDb& db, std::int64_t tid, const RawUser& u,
                                const std::string& surrogate) {
    const char* match =
        " FROM heartbeat_users hu WHERE hu.principal = ?1 AND hu.local = ?2"
        " AND (?2 = 0 OR hu.device_id = ?3)"
        " AND hu.device_id IN (SELECT id FROM devices WHERE tenant_id = ?4)";
    auto copy =
        db.prepare(std::string("INSERT INTO heartbeat_users(device_id, seq, principal, local, kind,"
                               " active_minutes) SELECT hu.device_id, hu.seq, ?5, 0, hu.kind,"
                               " hu.active_minutes") +
                   match +
                   " AND true ON CONFLICT(device_id, seq, principal, local) DO UPDATE SET"
                   " active_minutes = active_minutes + excluded.active_minutes");
    auto del = db.prepare(std::string("DELETE FROM heartbeat_users WHERE rowid IN"
                                      " (SELECT hu.rowid") +
                          match + ")");
    if (!copy) {
        return copy.error();
    }
    if (!del) {
        return del.error();
    }
    copy->bind(1, u.principal).bind(2, std::int64_t{u.local ? 1 : 0}).bind(3, u.device_id);
    if (auto r = copy->bind(4, tid).bind(5, surrogate).run(); !r) {
        return r.error();
    }
    del->bind(1, u.principal).bind(2, std::int64_t{u.local ? 1 : 0}).bind(3, u.device_id);
    if (auto r = del->bind(4, tid).run(); !r) {
        return r.error();
    }
    return {};
}

//! Replaces user key `k` by `surrogate` in group members and device assignments, and drops
//! the aliases that name it.
Result<void> surrogate_key(SqliteDb& db, std::int64_t tid, const std::string& k,
                           const std::string& surrogate) {
    for (const char* sql :
         {"UPDATE group_members SET user_key = ?1 WHERE tenant_id = ?2 AND user_key = ?3",
          "UPDATE device_assignments SET user_key = ?1 WHERE user_key = ?3 AND device_id"
          " IN (SELECT id FROM devices WHERE tenant_id = ?2)",
          "DELETE FROM user_aliases WHERE tenant_id = ?2 AND ?1 = ?1"
          " AND (alias_key = ?3 OR user_key = ?3)"}) {
        auto s = db.prepare(sql);
        if (!s) {
            return s.error();
        }
        if (auto r = s->bind(1, surrogate).bind(2, tid).bind(3, k).run(); !r) {
            return r.error();
        }
    }
    return {};
}

}  // namespace

Result<PurgeResult> SqliteStore::purge_tenant_locked(std::int64_t tid, std::int64_t now) {
    PurgeResult result;
    auto aliases = read_aliases(*db_, tid);
    if (!aliases) {
        return aliases.error();
    }
    // Every raw user of the tenant, grouped by canonical user, with its last signal.
    std::map<std::string, std::vector<RawUser>> raws;
    std::map<std::string, std::int64_t> last;
    if (auto r = read_raw_users(*db_, tid, *aliases, raws, last); !r) {
        return r.error();
    }
    std::set<std::string> purged;
    std::set<std::string> all_keys;  // canonical + raw + alias keys of purged users
    // The rule (billing/user_retention.h) names the users; the store deletes what it named.
    for (const auto& key : billing::users_to_purge(last, now)) {
        const auto surrogate = "purged-" + pairing::hex_encode(pairing::random_bytes(8));
        purged.insert(key);
        std::set<std::string> keys = {key};
        for (const auto& a : *aliases) {
            if (billing::resolve_alias(*aliases, a.alias_key) == key) {
                keys.insert(a.alias_key);
            }
        }
        PurgedUser named{"", surrogate, {}};
        for (const auto& u : raws[key]) {
            named.names.push_back(u.principal);
            keys.insert(billing::user_key(u.principal, u.local, u.device_id));
            if (auto r = surrogate_raw_user(*db_, tid, u, surrogate); !r) {
                return r.error();
            }
        }
        for (const auto& k : keys) {
            if (auto r = surrogate_key(*db_, tid, k, surrogate); !r) {
                return r.error();
            }
            all_keys.insert(k);
            named.names.push_back(k);
        }
        result.purged.push_back(std::move(named));
        auto rec = db_->prepare(
            "INSERT INTO purged_users(tenant_id, surrogate, purged_at) VALUES (?,?,?)");
        if (!rec) {
            return rec.error();
        }
        if (auto r = rec->bind(1, tid).bind(2, surrogate).bind(3, now).run(); !r) {
            return r.error();
        }
        ++result.users_purged;
    }
    if (purged.empty()) {
        return result;
    }
    for (const char* table : {"heartbeats", "held_heartbeats", "forks"}) {
        auto n = redact_table(*db_, table, tid, *aliases, purged);
        if (!n) {
            return n.error();
        }
        result.heartbeat_rows_redacted += *n;
    }
    return result;
}

Result<PurgeResult> SqliteStore::purge_users(std::int64_t now) {
    std::lock_guard lock(mutex_);
    if (auto r = db_->exec("PRAGMA secure_delete=ON"); !r) {
        return r.error();
    }
    PurgeResult total;
    {
        auto txn = SqliteTransaction::begin(*db_);
        if (!txn) {
            return txn.error();
        }
        std::vector<std::pair<std::int64_t, std::string>> tenants;
        auto s = db_->prepare("SELECT id, name FROM tenants ORDER BY id");
        if (!s) {
            return s.error();
        }
        for (;;) {
            auto row = s->step();
            if (!row) {
                return row.error();
            }
            if (!*row) {
                break;
            }
            tenants.emplace_back(s->int64(0), s->text(1));
        }
        for (const auto& [tid, name] : tenants) {
            auto r = purge_tenant_locked(tid, now);
            if (!r) {
                return r.error();
            }
            if (r->users_purged > 0) {
                // The rollups name principals too: recomputed with the surrogates.
                if (auto rebuilt = detail::rebuild_rollups(*db_, tid); !rebuilt) {
                    return rebuilt.error();
                }
            }
            total.users_purged += r->users_purged;
            total.heartbeat_rows_redacted += r->heartbeat_rows_redacted;
            for (auto& p : r->purged) {
                p.tenant = name;
                total.purged.push_back(std::move(p));
            }
        }
        if (auto r = txn->commit(); !r) {
            return r.error();
        }
    }
    if (total.users_purged > 0) {
        // Copies the pages back into the database and empties the WAL, so the old text
        // does not linger there (best effort: a concurrent reader can delay it).
        if (auto r = db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r) {
            return r.error();
        }
    }
    return total;
}

}  // namespace tally::server
