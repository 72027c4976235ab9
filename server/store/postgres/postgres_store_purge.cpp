// PostgresStore::purge_users (DESIGN.md §5 rule 4) and evidence retention. A purged user's
// principal is replaced by one random surrogate in every table (the rollups' rows are moved
// onto it, sums added), the stored bytes naming it are replaced by their hash (evidence bodies
// keep the heartbeat's numbers re-encoded with the surrogate, so rollups can still be rebuilt),
// as the SQLite store does. Retention drops whole monthly evidence partitions.

#include <map>
#include <set>
#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/time_format.h"
#include "server/billing/billing_engine.h"
#include "server/billing/user_key.h"
#include "server/billing/user_retention.h"
#include "server/store/postgres/pg_evidence.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

// Any constant shared by every Tally server: one purge or retention run at a time.
constexpr const char* kPurgeLock = "SELECT pg_advisory_xact_lock(499850112123)";

struct RawUser {
    std::string principal;
    bool local = false;
    std::string device_id;
};

//! Purged canonical user key → its surrogate, for one tenant.
struct TenantPurge {
    std::int64_t tid = 0;
    std::vector<AliasFact> aliases;
    std::map<std::string, std::string> surrogate;

    //! The surrogate of the user, if purged.
    const std::string* of(const std::string& principal, bool local,
                          const std::string& device_id) const {
        const auto key =
            billing::resolve_alias(aliases, billing::user_key(principal, local, device_id));
        const auto it = surrogate.find(key);
        return it == surrogate.end() ? nullptr : &it->second;
    }
};

Result<void> exec(PgConnection& c, const std::string& sql, const PgParams& params) {
    auto r = c.exec(sql, params);
    if (!r) {
        return r.error();
    }
    return {};
}

//! Moves one raw user's rollup rows onto `surrogate` (summed into an existing row).
Result<void> move_rollups(PgConnection& c, std::int64_t tid, const RawUser& u,
                          const std::string& surrogate) {
    const PgParams p = {pg_param(u.principal), pg_param(u.local ? "t" : "f"), pg_param(u.device_id),
                        pg_param(tid), pg_param(surrogate)};
    const std::string match =
        " WHERE principal = $1 AND local = $2::bool AND (NOT $2::bool OR device_id = $3)";
    const std::string of_tenant = " AND device_id IN (SELECT id FROM devices WHERE tenant_id = $4)";
    const std::string steps[] = {
        "INSERT INTO rollup_user_month AS t SELECT tenant_id, month, device_id, $5, false,"
        " active_minutes, day_mask, first_active, last_active, late_minutes, first_signal,"
        " last_signal FROM rollup_user_month" +
            match +
            " AND tenant_id = $4 ON CONFLICT (tenant_id, month, device_id, principal, local)"
            " DO UPDATE SET active_minutes = t.active_minutes + excluded.active_minutes,"
            " day_mask = t.day_mask | excluded.day_mask,"
            " first_active = least(t.first_active, excluded.first_active),"
            " last_active = greatest(t.last_active, excluded.last_active),"
            " late_minutes = t.late_minutes + excluded.late_minutes,"
            " first_signal = least(t.first_signal, excluded.first_signal),"
            " last_signal = greatest(t.last_signal, excluded.last_signal)",
        "DELETE FROM rollup_user_month" + match + " AND tenant_id = $4 AND $5 = $5",
        "INSERT INTO rollup_bucket_user AS t SELECT device_id, hour, day, late, segment, $5,"
        " false, active_minutes, first_start, last_end FROM rollup_bucket_user" +
            match + of_tenant +
            " ON CONFLICT (device_id, hour, day, late, segment, principal, local) DO UPDATE SET"
            " active_minutes = t.active_minutes + excluded.active_minutes,"
            " first_start = least(t.first_start, excluded.first_start),"
            " last_end = greatest(t.last_end, excluded.last_end)",
        "DELETE FROM rollup_bucket_user" + match + of_tenant + " AND $5 = $5",
        "INSERT INTO rollup_user_day AS t SELECT device_id, day, $5, false, active_minutes"
        " FROM rollup_user_day" +
            match + of_tenant +
            " ON CONFLICT (device_id, day, principal, local) DO UPDATE SET"
            " active_minutes = t.active_minutes + excluded.active_minutes",
        "DELETE FROM rollup_user_day" + match + of_tenant + " AND $5 = $5",
    };
    for (const auto& sql : steps) {
        if (auto r = exec(c, sql, p); !r) {
            return r;
        }
    }
    return {};
}

//! Replaces user key `k` by `surrogate` in memberships and assignments; drops its aliases.
Result<void> surrogate_key(PgConnection& c, std::int64_t tid, const std::string& k,
                           const std::string& surrogate) {
    for (const char* sql :
         {"UPDATE group_members SET user_key = $1 WHERE tenant_id = $2 AND user_key = $3",
          "UPDATE device_assignments SET user_key = $1 WHERE user_key = $3 AND device_id"
          " IN (SELECT id FROM devices WHERE tenant_id = $2)",
          "DELETE FROM user_aliases WHERE tenant_id = $2 AND $1 = $1"
          " AND (alias_key = $3 OR user_key = $3)"}) {
        if (auto r = exec(c, sql, {pg_param(surrogate), pg_param(tid), pg_param(k)}); !r) {
            return r;
        }
    }
    return {};
}

//! The heartbeat with its purged users renamed to their surrogates (merged if they meet).
pairing::Heartbeat surrogated(pairing::Heartbeat hb, const TenantPurge& t,
                              const std::string& device_id) {
    std::map<std::pair<std::string, bool>, pairing::UserActivity> users;
    for (auto& u : hb.users) {
        if (const auto* s = t.of(u.principal, u.local, device_id)) {
            u.principal = *s;
            u.local = false;
        }
        auto [it, added] = users.try_emplace({u.principal, u.local}, u);
        if (!added) {
            it->second.active_minutes += u.active_minutes;
        }
    }
    hb.users.clear();
    for (auto& [key, u] : users) {
        hb.users.push_back(std::move(u));
    }
    return hb;
}

bool names_purged(const pairing::Heartbeat& hb, const TenantPurge& t, const std::string& device) {
    for (const auto& u : hb.users) {
        if (t.of(u.principal, u.local, device) != nullptr) {
            return true;
        }
    }
    return false;
}

//! Redacts the evidence bodies, held heartbeats and forks naming a purged user.
Result<std::int64_t> redact(PgConnection& c, const TenantPurge& t) {
    std::int64_t redacted = 0;
    auto ev = c.exec(
        "SELECT e.device_id, e.first_seq, e.received_at, encode(e.body, 'hex'), e.kind,"
        " e.counted FROM heartbeat_evidence e JOIN devices d ON d.id = e.device_id"
        " WHERE d.tenant_id = $1",
        {pg_param(t.tid)});
    if (!ev) {
        return ev.error();
    }
    for (int i = 0; i < ev->rows(); ++i) {
        const auto device = ev->text(i, 0);
        auto entries = pg_evidence_entries(ev->int64(i, 4), ev->hex_bytes(i, 3),
                                           ev->is_null(i, 5) ? std::string() : ev->text(i, 5));
        if (!entries) {
            return entries.error();
        }
        std::int64_t hits = 0;
        for (auto& entry : *entries) {
            const auto hb = pg_entry_heartbeat(entry);
            if (hb && names_purged(*hb, t, device)) {
                const auto nl = entry.find('\n');
                const bool was = entry.starts_with("redacted-") && nl != std::string::npos;
                entry = was ? entry.substr(0, nl + 1) +
                                  pairing::encode_heartbeat(surrogated(*hb, t, device))
                            : pg_redacted_entry(entry, surrogated(*hb, t, device));
                ++hits;
            }
        }
        if (hits == 0) {
            continue;
        }
        std::vector<std::string_view> views(entries->begin(), entries->end());
        if (auto r = exec(c,
                          // A signed body naming the user becomes the list of its counted
                          // heartbeats, redacted: its signature no longer applies.
                          "UPDATE heartbeat_evidence SET body = decode($4, 'hex'), kind = 1,"
                          " counted = NULL, signature = NULL WHERE device_id = $1"
                          " AND first_seq = $2 AND received_at = $3",
                          {pg_param(device), pg_param(ev->int64(i, 1)), pg_param(ev->int64(i, 2)),
                           pg_hex_param(pg_encode_evidence(views))});
            !r) {
            return r.error();
        }
        redacted += hits;
    }
    for (const char* table : {"held_heartbeats", "forks"}) {
        auto rows =
            c.exec(std::string("SELECT x.ctid, x.device_id, encode(x.bytes, 'hex') FROM ") + table +
                       " x JOIN devices d ON d.id = x.device_id WHERE d.tenant_id = $1",
                   {pg_param(t.tid)});
        if (!rows) {
            return rows.error();
        }
        for (int i = 0; i < rows->rows(); ++i) {
            const auto bytes = rows->hex_bytes(i, 2);
            const auto hb = pairing::decode_heartbeat(bytes);
            if (!hb || !names_purged(*hb, t, rows->text(i, 1))) {
                continue;
            }
            const auto hash = "redacted-sha256:" + pairing::hex_encode(pairing::sha256(bytes));
            if (auto r = exec(c,
                              std::string("UPDATE ") + table +
                                  " SET bytes = decode($2, 'hex') WHERE ctid = $1::tid",
                              {pg_param(rows->text(i, 0)), pg_hex_param(hash)});
                !r) {
                return r.error();
            }
            ++redacted;
        }
    }
    return redacted;
}

//! Every raw user of the tenant grouped by canonical user, with its last signal.
Result<void> read_raw_users(PgConnection& c, const TenantPurge& t,
                            std::map<std::string, std::vector<RawUser>>& raws,
                            std::map<std::string, std::int64_t>& last) {
    auto r = c.exec(
        "SELECT principal, local, CASE WHEN local THEN device_id ELSE '' END, max(last_signal)"
        " FROM rollup_user_month WHERE tenant_id = $1 AND last_signal IS NOT NULL"
        " GROUP BY 1, 2, 3",
        {pg_param(t.tid)});
    if (!r) {
        return r.error();
    }
    for (int i = 0; i < r->rows(); ++i) {
        RawUser u{r->text(i, 0), r->boolean(i, 1), r->text(i, 2)};
        const auto key =
            billing::resolve_alias(t.aliases, billing::user_key(u.principal, u.local, u.device_id));
        if (billing::is_surrogate(key)) {
            continue;
        }
        last[key] = std::max(last[key], r->int64(i, 3));
        raws[key].push_back(std::move(u));
    }
    return {};
}

Result<PurgeResult> purge_tenant(PgConnection& c, std::int64_t tid, std::int64_t now) {
    TenantPurge t;
    t.tid = tid;
    auto aliases = c.exec("SELECT alias_key, user_key FROM user_aliases WHERE tenant_id = $1",
                          {pg_param(tid)});
    if (!aliases) {
        return aliases.error();
    }
    for (int i = 0; i < aliases->rows(); ++i) {
        t.aliases.push_back({aliases->text(i, 0), aliases->text(i, 1)});
    }
    std::map<std::string, std::vector<RawUser>> raws;
    std::map<std::string, std::int64_t> last;
    if (auto r = read_raw_users(c, t, raws, last); !r) {
        return r.error();
    }
    PurgeResult result;
    // The rule (billing/user_retention.h) names the users; the store deletes what it named.
    for (const auto& key : billing::users_to_purge(last, now)) {
        if (result.users_purged == 0) {
            // Ingest writes a device's rollup rows with its row locked: so does the purge,
            // or a batch committed between the copy and the delete below would be lost.
            if (auto r =
                    exec(c, "SELECT 1 FROM devices WHERE tenant_id = $1 ORDER BY id FOR UPDATE",
                         {pg_param(tid)});
                !r) {
                return r.error();
            }
        }
        const auto surrogate = "purged-" + pairing::hex_encode(pairing::random_bytes(8));
        t.surrogate[key] = surrogate;
        std::set<std::string> keys = {key};
        for (const auto& a : t.aliases) {
            if (billing::resolve_alias(t.aliases, a.alias_key) == key) {
                keys.insert(a.alias_key);
            }
        }
        PurgedUser named{"", surrogate, {}};  // its names, for the snapshots' redaction
        for (const auto& u : raws[key]) {
            named.names.push_back(u.principal);
            keys.insert(billing::user_key(u.principal, u.local, u.device_id));
            if (auto r = move_rollups(c, tid, u, surrogate); !r) {
                return r.error();
            }
        }
        for (const auto& k : keys) {
            if (auto r = surrogate_key(c, tid, k, surrogate); !r) {
                return r.error();
            }
            named.names.push_back(k);
        }
        result.purged.push_back(std::move(named));
        if (auto r = exec(c,
                          "INSERT INTO purged_users(tenant_id, surrogate, purged_at)"
                          " VALUES ($1, $2, $3)",
                          {pg_param(tid), pg_param(surrogate), pg_param(now)});
            !r) {
            return r.error();
        }
        ++result.users_purged;
    }
    if (result.users_purged > 0) {
        auto n = redact(c, t);
        if (!n) {
            return n.error();
        }
        result.heartbeat_rows_redacted = *n;
    }
    return result;
}

}  // namespace

Result<EvidencePurgeResult> PostgresStore::purge_evidence(std::int64_t now,
                                                          const EvidencePolicy& policy) {
    EvidencePurgeResult result;
    if (auto r = drop_old_evidence(now, policy.retention_days, &result.batches_deleted); !r) {
        return r.error();
    }
    return result;
}

Result<PurgeResult> PostgresStore::purge_users(std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<PurgeResult> {
        if (auto r = c.command(kPurgeLock); !r) {
            return r.error();
        }
        auto tenants = c.exec("SELECT id, name FROM tenants ORDER BY id");
        if (!tenants) {
            return tenants.error();
        }
        PurgeResult total;
        for (int i = 0; i < tenants->rows(); ++i) {
            auto r = purge_tenant(c, tenants->int64(i, 0), now);
            if (!r) {
                return r.error();
            }
            total.users_purged += r->users_purged;
            total.heartbeat_rows_redacted += r->heartbeat_rows_redacted;
            for (auto& p : r->purged) {
                p.tenant = tenants->text(i, 1);
                total.purged.push_back(std::move(p));
            }
        }
        return total;
    });
}

Result<std::int64_t> PostgresStore::drop_old_evidence(std::int64_t now, std::int64_t retention_days,
                                                      std::int64_t* batches_deleted) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<std::int64_t> {
        if (auto r = c.command(kPurgeLock); !r) {
            return r.error();
        }
        auto parts = c.exec(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'heartbeat_evidence'"
            " ORDER BY 1");
        if (!parts) {
            return parts.error();
        }
        std::int64_t dropped = 0;
        for (int i = 0; i < parts->rows(); ++i) {
            const auto name = parts->text(i, 0);
            const auto month = std::stoll(name.substr(name.rfind('_') + 1));
            const auto next = pg_next_month(month);
            const auto end = pairing::days_from_civil(static_cast<int>(next / 100),
                                                      static_cast<unsigned>(next % 100), 1) *
                             86400;
            if (end + retention_days * 86400 > now) {
                continue;
            }
            // Seqs received in or before that month: gone with it; a copy arriving later is
            // a duplicate (seq_floor), so nothing is counted twice.
            for (const char* sql :
                 {"UPDATE devices d SET seq_floor = greatest(d.seq_floor, s.top) FROM"
                  " (SELECT device_id, max(seq) AS top FROM heartbeat_seqs WHERE month <= $1"
                  " GROUP BY device_id) s WHERE d.id = s.device_id",
                  "DELETE FROM heartbeat_seqs WHERE month <= $1"}) {
                if (auto r = exec(c, sql, {pg_param(month)}); !r) {
                    return r.error();
                }
            }
            if (batches_deleted) {
                auto rows = c.exec("SELECT count(*) FROM " + name);
                if (!rows) {
                    return rows.error();
                }
                *batches_deleted += rows->int64(0, 0);
            }
            if (auto r = c.command("DROP TABLE IF EXISTS " + name); !r) {
                return r.error();
            }
            std::lock_guard lock(partitions_mutex_);
            partitions_.erase(month);
            ++dropped;
        }
        return dropped;
    });
}

}  // namespace tally::server
