// Schema migrations (see schema.h). Append new steps; never edit a released one.

#include "server/store/schema.h"

#include <array>
#include <string>
#include <vector>

#include "server/store/evidence_migration.h"
#include "server/store/rollups.h"

namespace tally::server {
namespace {

// Times are Unix seconds (UTC). Heartbeat numbers are stored decoded next to the exact bytes
// so reports are SQL aggregation and fork checks compare bytes.
constexpr const char* kStep1 = R"SQL(
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at INTEGER NOT NULL
);
CREATE TABLE pairing_codes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    code_hash TEXT NOT NULL UNIQUE,
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    public_key BLOB NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    os TEXT NOT NULL,
    os_version TEXT NOT NULL,
    agent_version TEXT NOT NULL,
    device_type TEXT NOT NULL,
    role TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    paired_at INTEGER NOT NULL,
    retired_at INTEGER,
    retire_reason TEXT,
    suspected_clone INTEGER NOT NULL DEFAULT 0,
    acked_through INTEGER NOT NULL DEFAULT 0,
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER
);
CREATE INDEX devices_tenant ON devices(tenant_id);
CREATE TABLE heartbeats (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    start_ts INTEGER NOT NULL,
    end_ts INTEGER NOT NULL,
    device_active_minutes INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX heartbeats_start ON heartbeats(device_id, start_ts);
CREATE TABLE heartbeat_users (
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    principal TEXT NOT NULL,
    local INTEGER NOT NULL,
    kind TEXT NOT NULL,
    active_minutes INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq, principal, local),
    FOREIGN KEY (device_id, seq) REFERENCES heartbeats(device_id, seq)
);
CREATE TABLE gaps (
    device_id TEXT NOT NULL REFERENCES devices(id),
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    reason TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, from_seq, to_seq)
);
CREATE TABLE forks (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq INTEGER NOT NULL,
    bytes_sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq, bytes_sha256)
);
CREATE TABLE admin_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id INTEGER REFERENCES tenants(id),
    created_at INTEGER NOT NULL
);
)SQL";

// Step 2 (delivery guarantees): heartbeats outside the time window are held as evidence
// (they close the ack, they are not counted until a bundle import promotes them with the same
// bytes), and hash-chain breaks are recorded where they are seen.
constexpr const char* kStep2 = R"SQL(
CREATE TABLE held_heartbeats (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    start_ts INTEGER NOT NULL,
    end_ts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE TABLE chain_breaks (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
);
)SQL";

// Step 3 (billing rules, DESIGN.md §5): tenant policy (trial, inactivation date, time zone,
// device counting, default package, grace hours), user groups with membership history,
// subscriptions (package → group), admin device assignments with history, principal merges,
// and the record of purged users (a surrogate only, never the principal).
constexpr const char* kStep3 = R"SQL(
ALTER TABLE tenants ADD COLUMN trial_end INTEGER;
ALTER TABLE tenants ADD COLUMN inactive_since INTEGER;
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE tenants ADD COLUMN count_devices_by TEXT NOT NULL DEFAULT 'activity'
    CHECK (count_devices_by IN ('activity', 'signal'));
ALTER TABLE tenants ADD COLUMN default_package TEXT NOT NULL DEFAULT 'Core';
ALTER TABLE tenants ADD COLUMN grace_hours INTEGER NOT NULL DEFAULT 72;
CREATE TABLE user_groups (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE TABLE group_members (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    group_id INTEGER NOT NULL REFERENCES user_groups(id),
    user_key TEXT NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER
);
CREATE INDEX group_members_user ON group_members(tenant_id, user_key);
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES user_groups(id),
    package TEXT NOT NULL,
    attached_at INTEGER NOT NULL
);
CREATE TABLE device_assignments (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    user_key TEXT,
    since INTEGER NOT NULL
);
CREATE INDEX device_assignments_device ON device_assignments(device_id);
CREATE TABLE user_aliases (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    alias_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    merged_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, alias_key)
);
CREATE TABLE purged_users (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    surrogate TEXT NOT NULL,
    purged_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, surrogate)
);
CREATE INDEX heartbeat_users_principal ON heartbeat_users(principal);
)SQL";

// Step 4: how each device was enrolled, when it was not by a pairing code (standalone
// bundles register their device by trust on first use, and the report says so).
constexpr const char* kStep4 = R"SQL(
CREATE TABLE device_enrollments (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    method TEXT NOT NULL,
    enrolled_at INTEGER NOT NULL
);
)SQL";

// Step 5: each change of a device's type, dated, so a month is billed with the types its
// devices had when it ended: a change today does not restate a closed month.
constexpr const char* kStep5 = R"SQL(
CREATE TABLE device_type_changes (
    device_id TEXT NOT NULL REFERENCES devices(id),
    old_type TEXT NOT NULL,
    new_type TEXT NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX device_type_changes_at ON device_type_changes(changed_at);
)SQL";

// Step 6: each past span of a tenant's inactivity, so it stays unbilled after reactivation
// (DESIGN.md §5 rule 5); the current one is tenants.inactive_since.
constexpr const char* kStep6 = R"SQL(
CREATE TABLE tenant_inactive_spans (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    since INTEGER NOT NULL,
    until INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, since)
);
)SQL";

// Step 7 (issue 17): admin tokens have a name, an expiry and can be revoked. Tokens made
// before keep no expiry (NULL) until revoked.
constexpr const char* kStep7 = R"SQL(
ALTER TABLE admin_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE admin_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE admin_tokens ADD COLUMN revoked_at INTEGER;
)SQL";

// Step 8 (issue 20): usage rolled up at ingest (rollups.h), so billing and reports need not
// read raw heartbeats. Months are YYYYMM and days local day numbers, both in the tenant's
// time zone; day_mask has bit d-1 set when local day d of the month had active minutes.
// Filled for existing data by rebuild_all_rollups in the same transaction (see migrate).
constexpr const char* kStep8 = R"SQL(
CREATE TABLE rollup_device_month (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    month INTEGER NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices(id),
    heartbeats INTEGER NOT NULL,
    active_minutes INTEGER NOT NULL,
    day_mask INTEGER NOT NULL,
    first_active INTEGER,
    last_active INTEGER,
    late_heartbeats INTEGER NOT NULL,
    late_minutes INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, month, device_id)
) WITHOUT ROWID;
CREATE TABLE rollup_user_month (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    month INTEGER NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices(id),
    principal TEXT NOT NULL,
    local INTEGER NOT NULL,
    active_minutes INTEGER NOT NULL,
    day_mask INTEGER NOT NULL,
    first_active INTEGER,
    last_active INTEGER,
    late_minutes INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, month, device_id, principal, local)
) WITHOUT ROWID;
CREATE TABLE rollup_device_day (
    device_id TEXT NOT NULL REFERENCES devices(id),
    day INTEGER NOT NULL,
    heartbeats INTEGER NOT NULL,
    active_minutes INTEGER NOT NULL,
    active_users INTEGER NOT NULL,
    last_end INTEGER NOT NULL,
    PRIMARY KEY (device_id, day)
) WITHOUT ROWID;
)SQL";

// Step 9 (issue 20c): billing's grain (rollups.h BucketKey), so billing and the usage report
// read no raw heartbeat: per device, UTC hour, local day, late flag and cut segment (the latest
// trial end or inactive-span edge inside the hour at or before the start, else 0). Users only
// with active minutes. And each user month's signal (any heartbeat naming the user, for the
// release of assignments). Filled for existing data by rebuild_all_rollups (see migrate).
constexpr const char* kStep9 = R"SQL(
CREATE TABLE rollup_bucket (
    device_id TEXT NOT NULL REFERENCES devices(id),
    hour INTEGER NOT NULL,
    day INTEGER NOT NULL,
    late INTEGER NOT NULL,
    segment INTEGER NOT NULL,
    heartbeats INTEGER NOT NULL,
    active_minutes INTEGER NOT NULL,
    first_start INTEGER NOT NULL,
    last_end INTEGER NOT NULL,
    PRIMARY KEY (device_id, hour, day, late, segment)
) WITHOUT ROWID;
CREATE TABLE rollup_bucket_user (
    device_id TEXT NOT NULL REFERENCES devices(id),
    hour INTEGER NOT NULL,
    day INTEGER NOT NULL,
    late INTEGER NOT NULL,
    segment INTEGER NOT NULL,
    principal TEXT NOT NULL,
    local INTEGER NOT NULL,
    active_minutes INTEGER NOT NULL,
    first_start INTEGER NOT NULL,
    last_end INTEGER NOT NULL,
    PRIMARY KEY (device_id, hour, day, late, segment, principal, local)
) WITHOUT ROWID;
ALTER TABLE rollup_user_month ADD COLUMN first_signal INTEGER;
ALTER TABLE rollup_user_month ADD COLUMN last_signal INTEGER;
)SQL";

// Step 10 (issue 20, bounded evidence): each accepted batch is kept once as evidence
// (evidence_batch.h) in place of a row per heartbeat and per heartbeat user. `counted` holds
// the seq ranges the batch counted ("a-b,c-d"), `hashes` a short hash per counted seq (in
// order) while the seq can still arrive (NULL once pruned), first/last_start the counted
// heartbeats' earliest and latest start. devices.evidence_floor: the highest seq whose batch
// the retention deleted. evidence_horizon: heartbeats starting before purged_before may have
// lost their evidence (their rollups stay and are never rebuilt). The schema-9 heartbeats are
// moved into batches (evidence_migration.cpp), then heartbeats and heartbeat_users dropped.
constexpr const char* kStep10 = R"SQL(
CREATE TABLE evidence_batches (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    counted TEXT NOT NULL,
    first_start INTEGER NOT NULL,
    last_start INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2, 3)),
    signature BLOB,
    body BLOB NOT NULL,
    hashes BLOB
);
CREATE INDEX evidence_batches_device ON evidence_batches(device_id, first_seq);
ALTER TABLE devices ADD COLUMN evidence_floor INTEGER NOT NULL DEFAULT 0;
CREATE TABLE evidence_horizon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    purged_before INTEGER NOT NULL
);
)SQL";

// Step 11 (issue 20): month close (DESIGN.md §5 rule 7). One frozen bill per closed
// tenant-month, written once (INSERT … ON CONFLICT DO NOTHING): the report encoded by
// server/report/month_snapshot_codec.h (format_version says which encoding), compressed.
// Month is YYYYMM like the rollups'. Needs only tenants, so it applies after step 9 or 10.
constexpr const char* kStep11 = R"SQL(
CREATE TABLE IF NOT EXISTS month_snapshots (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    month INTEGER NOT NULL,
    closed_at INTEGER NOT NULL,
    format_version INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (tenant_id, month)
) WITHOUT ROWID;
)SQL";

// Step 12 (issue 20, evidence packs): once a device's
// batches are past the acceptance window the evidence purge moves a device-day of them into
// one row (evidence_pack_codec.h: every batch's signature, counted ranges, times and body,
// compact bodies deflated together) and deletes their evidence_batches rows; the device's
// evidence_floor then covers their seqs. first/last seq and start span the pack's batches.
constexpr const char* kStep12 = R"SQL(
CREATE TABLE IF NOT EXISTS evidence_packs (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    first_start INTEGER NOT NULL,
    last_start INTEGER NOT NULL,
    batches INTEGER NOT NULL,
    signatures BLOB NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_packs_device ON evidence_packs(device_id, first_seq);
)SQL";

// Step 13 (issue 20, months split by the trailing window): each user's active minutes per
// device and local day (rollups.h UserDayKey; only users with active minutes), so the whole
// days of a month's part outside the primary user's trailing window, and of the window's part
// before the month, are read a row per user and day instead of hour by hour (month_facts.h).
// Filled (kUserDaysFill) from the hourly user buckets (each of one local day): the same
// minutes. A file older than step 10 gets it before its rollups are rebuilt (see migrate).
constexpr const char* kStep13 = R"SQL(
CREATE TABLE IF NOT EXISTS rollup_user_day (
    device_id TEXT NOT NULL REFERENCES devices(id),
    day INTEGER NOT NULL,
    principal TEXT NOT NULL,
    local INTEGER NOT NULL,
    active_minutes INTEGER NOT NULL,
    PRIMARY KEY (device_id, day, principal, local)
) WITHOUT ROWID;
)SQL";
constexpr const char* kUserDaysFill = R"SQL(
INSERT OR IGNORE INTO rollup_user_day(device_id, day, principal, local, active_minutes)
    SELECT device_id, day, principal, local, sum(active_minutes) FROM rollup_bucket_user
    WHERE device_id = ?1 GROUP BY day, principal, local;
)SQL";

// Fills rollup_user_day one device at a time: the GROUP BY's sorter (temp_store=MEMORY) then
// holds one device's user buckets, not the whole table's (18 M rows, 1.8 GB at 100,000
// devices x a month).
Result<void> fill_user_days(SqliteDb& db) {
    std::vector<std::string> devices;
    auto ids = db.prepare("SELECT id FROM devices");
    if (!ids) {
        return ids.error();
    }
    if (auto r = ids->each_row([&](SqliteStatement& s) { devices.push_back(s.text(0)); }); !r) {
        return r;
    }
    auto fill = db.prepare(kUserDaysFill);
    if (!fill) {
        return fill.error();
    }
    for (const auto& id : devices) {
        if (auto r = fill->reset().bind(1, id).run(); !r) {
            return r;
        }
    }
    return {};
}

// Step 14 (issue 20, in-window packs): a device-day is packed once the day is over and a day of
// margin has passed (EvidencePolicy::pack_after_days), long before the acceptance window ends, so
// the short hashes ingest's dedupe and fork detection read stay beside the pack until the window
// ends: one row per pack, `counted` the pack's counted seqs ascending ("a-b,c-d"), `hashes`
// evidence::kShortHash bytes per seq in that order, `last_start` the pack's (pruned with the
// batches' hashes). Looked up by (device_id, last_seq >= seq). No foreign key: the purge
// deletes these rows first. The two last_start indexes let the daily purge find what left the
// window or the retention without scanning every pack. Needs only step 12, so it applies
// after 12 or 13.
constexpr const char* kStepPackHashes = R"SQL(
CREATE TABLE IF NOT EXISTS evidence_pack_hashes (
    pack_id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    last_start INTEGER NOT NULL,
    counted TEXT NOT NULL,
    hashes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_pack_hashes_device
    ON evidence_pack_hashes(device_id, last_seq);
CREATE INDEX IF NOT EXISTS evidence_pack_hashes_last_start ON evidence_pack_hashes(last_start);
CREATE INDEX IF NOT EXISTS evidence_packs_last_start ON evidence_packs(last_start);
)SQL";

constexpr std::array<const char*, kSchemaVersion> kSteps = {
    kStep1, kStep2, kStep3,  kStep4,  kStep5,  kStep6,  kStep7,
    kStep8, kStep9, kStep10, kStep11, kStep12, kStep13, kStepPackHashes};

}  // namespace

namespace {

Result<std::int64_t> user_version(SqliteDb& db) {
    auto stmt = db.prepare("PRAGMA user_version");
    if (!stmt) {
        return stmt.error();
    }
    if (auto row = stmt->step(); !row) {
        return row.error();
    }
    return stmt->int64(0);
}

}  // namespace

Result<void> migrate(SqliteDb& db) {
    for (;;) {
        // The version is read inside the write transaction so two processes opening a new
        // file at once (serve and a CLI command) cannot both apply a step.
        auto txn = SqliteTransaction::begin(db);
        if (!txn) {
            return txn.error();
        }
        auto version = user_version(db);
        if (!version) {
            return version.error();
        }
        if (*version > kSchemaVersion) {
            return make_error("db", "database schema version " + std::to_string(*version) +
                                        " is newer than this tally-server (" +
                                        std::to_string(kSchemaVersion) + "); upgrade tally-server");
        }
        if (*version == kSchemaVersion) {
            return txn->commit();
        }
        if (auto r = db.exec(kSteps[static_cast<std::size_t>(*version)]); !r) {
            return r;
        }
        // Data step: the heartbeats an older version stored become evidence batches, then the
        // rollups are recomputed from them (made once every rollup table and the evidence
        // exist: after step 10; a version-7 or 8 file gets its rollups then too).
        if (*version == 9) {
            if (auto r = detail::migrate_heartbeats_to_evidence(db); !r) {
                return r;
            }
            if (auto r = db.exec(kStep13); !r) {  // rebuilt with the others
                return r;
            }
            if (auto r = detail::rebuild_all_rollups(db); !r) {
                return r;
            }
        }
        if (*version == 12) {
            if (auto r = fill_user_days(db); !r) {
                return r;
            }
        }
        if (auto r = db.exec("PRAGMA user_version=" + std::to_string(*version + 1)); !r) {
            return r;
        }
        if (auto r = txn->commit(); !r) {
            return r;
        }
    }
}

}  // namespace tally::server
