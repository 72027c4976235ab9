// SqliteStore::purge_users: DESIGN.md §5 rule 4, "user metadata is deleted permanently 90
// days after release". Deleted means gone from every table, not hidden: each principal of a
// purged user is replaced by one random surrogate ("purged-<hex>", so past months still count
// that person once), evidence batches naming it are rewritten as redacted batches (their
// counted heartbeats re-encoded with the surrogate: they still count, the signature is gone),
// held and forked bytes that name it are replaced by "redacted-sha256:<hex of the bytes>", and
// the rollups are recomputed; secure_delete plus a WAL checkpoint keep the old text out of
// freed pages and the WAL.

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/billing/billing_engine.h"
#include "server/billing/user_key.h"
#include "server/billing/user_retention.h"
#include "server/store/evidence_packs.h"
#include "server/store/evidence_rows.h"
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

//! Replaces bytes naming a purged user in `table` (held_heartbeats, forks).
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
//! (`last`), read from the user months (every user a counted heartbeat named has one);
//! surrogates (already purged) are left out.
Result<void> read_raw_users(SqliteDb& db, std::int64_t tid, const std::vector<AliasFact>& aliases,
                            std::map<std::string, std::vector<RawUser>>& raws,
                            std::map<std::string, std::int64_t>& last) {
    auto s = db.prepare(
        "SELECT principal, local, CASE WHEN local THEN device_id ELSE '' END,"
        " max(coalesce(last_signal, 0)) FROM rollup_user_month WHERE tenant_id = ?"
        " GROUP BY 1, 2, 3");
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

//! `hb` with every user whose key resolves to a purged user replaced by its surrogate (merged
//! with an entry of the same surrogate); nullopt when it names none.
std::optional<std::string> surrogated(const pairing::Heartbeat& hb, const std::string& device_id,
                                      const std::vector<AliasFact>& aliases,
                                      const std::map<std::string, std::string>& surrogate_of) {
    std::map<std::pair<std::string, bool>, pairing::UserActivity> users;
    bool named = false;
    for (const auto& u : hb.users) {
        const auto key =
            billing::resolve_alias(aliases, billing::user_key(u.principal, u.local, device_id));
        const auto it = surrogate_of.find(key);
        auto entry = u;
        if (it != surrogate_of.end()) {
            named = true;
            entry.principal = it->second;
            entry.local = false;
        }
        auto [slot, added] = users.try_emplace({entry.principal, entry.local}, entry);
        if (!added) {
            slot->second.active_minutes += entry.active_minutes;
        }
    }
    if (!named) {
        return std::nullopt;
    }
    auto copy = hb;
    copy.users.clear();
    for (auto& [key, u] : users) {
        copy.users.push_back(std::move(u));
    }
    return pairing::encode_heartbeat(copy);
}

//! Rewrites every evidence batch of the tenant naming a purged user as a redacted batch: its
//! counted heartbeats re-encoded with the surrogates (they still count; the signature is
//! dropped, the device's bytes and their principals are gone). Returns the batches rewritten.
Result<std::int64_t> redact_evidence(SqliteDb& db, std::int64_t tid,
                                     const std::vector<AliasFact>& aliases,
                                     const std::map<std::string, std::string>& surrogate_of) {
    std::vector<std::pair<std::int64_t, std::string>> rewrites;
    std::map<std::int64_t, std::map<std::int64_t, std::string>> packed;  // pack → batch → body
    auto walked = detail::each_evidence_batch(
        db, tid, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max(),
        false,
        [&](const detail::EvidenceRow& row, const std::vector<detail::CountedHeartbeat>& counted,
            const std::string&) -> Result<void> {
            std::vector<std::string> texts;
            bool named = false;
            for (const auto& c : counted) {
                auto hb = pairing::decode_heartbeat(c.bytes);
                auto redone =
                    hb ? surrogated(*hb, row.device_id, aliases, surrogate_of) : std::nullopt;
                named = named || redone.has_value();
                texts.push_back(redone ? std::move(*redone) : std::string(c.bytes));
            }
            if (named) {
                std::vector<std::string_view> views(texts.begin(), texts.end());
                auto body = evidence::encode_texts(views);
                if (row.pack_id != 0) {
                    packed[row.pack_id][row.id] = std::move(body);
                } else {
                    rewrites.emplace_back(row.id, std::move(body));
                }
            }
            return {};
        });
    if (!walked) {
        return walked.error();
    }
    auto upd =
        db.prepare("UPDATE evidence_batches SET kind = 2, signature = NULL, body = ? WHERE id = ?");
    if (!upd) {
        return upd.error();
    }
    for (const auto& [id, body] : rewrites) {
        if (auto r = upd->reset().bind_blob(1, body).bind(2, id).run(); !r) {
            return r.error();
        }
    }
    auto count = static_cast<std::int64_t>(rewrites.size());
    for (const auto& [pack, bodies] : packed) {
        if (auto r = detail::redact_packed(db, pack, bodies); !r) {
            return r.error();
        }
        count += static_cast<std::int64_t>(bodies.size());
    }
    return count;
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
    std::map<std::string, std::string> surrogate_of;  // each of those keys → its surrogate
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
        }
        for (const auto& k : keys) {
            surrogate_of[k] = surrogate;
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
    auto batches = redact_evidence(*db_, tid, *aliases, surrogate_of);
    if (!batches) {
        return batches.error();
    }
    result.heartbeat_rows_redacted += *batches;
    for (const char* table : {"held_heartbeats", "forks"}) {
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
