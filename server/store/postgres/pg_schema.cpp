// PostgreSQL schema migrations (see pg_schema.h). The tables mirror the SQLite schema
// (server/store/schema.cpp) with PostgreSQL types: times are Unix seconds in BIGINT, keys are
// bytea, flags boolean, ids identity columns.

#include "server/store/postgres/pg_schema.h"

#include <array>
#include <string>

#include "server/store/postgres/pg_transaction.h"

namespace tally::server {
namespace {

// Step 1 (issue 21): tenants and their policy, pairing codes, devices and their admin
// corrections, admin tokens, groups, subscriptions, merges, purged users, and a device's
// delivery evidence (gaps, forks, chain breaks, held heartbeats: a few rows per device). The
// counted heartbeats (partitioned by month) and the rollups come with ingest, a later step.
constexpr const char* kStep1 = R"SQL(
CREATE TABLE tenants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at BIGINT NOT NULL,
    trial_end BIGINT,
    inactive_since BIGINT,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    count_devices_by TEXT NOT NULL DEFAULT 'activity'
        CHECK (count_devices_by IN ('activity', 'signal')),
    default_package TEXT NOT NULL DEFAULT 'Core',
    grace_hours BIGINT NOT NULL DEFAULT 72
);
CREATE TABLE tenant_inactive_spans (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    since BIGINT NOT NULL,
    until BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, since)
);
CREATE TABLE pairing_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    code_hash TEXT NOT NULL UNIQUE,
    uses_left BIGINT NOT NULL CHECK (uses_left >= 0),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    public_key BYTEA NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    os TEXT NOT NULL,
    os_version TEXT NOT NULL,
    agent_version TEXT NOT NULL,
    device_type TEXT NOT NULL,
    role TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    paired_at BIGINT NOT NULL,
    retired_at BIGINT,
    retire_reason TEXT,
    suspected_clone BOOLEAN NOT NULL DEFAULT false,
    acked_through BIGINT NOT NULL DEFAULT 0,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_seen BIGINT
);
CREATE INDEX devices_tenant ON devices(tenant_id);
CREATE TABLE device_enrollments (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    method TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL
);
CREATE TABLE device_type_changes (
    device_id TEXT NOT NULL REFERENCES devices(id),
    old_type TEXT NOT NULL,
    new_type TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX device_type_changes_at ON device_type_changes(changed_at);
CREATE TABLE device_assignments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    user_key TEXT,
    since BIGINT NOT NULL
);
CREATE INDEX device_assignments_device ON device_assignments(device_id);
CREATE TABLE admin_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id BIGINT REFERENCES tenants(id),
    created_at BIGINT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    revoked_at BIGINT
);
CREATE TABLE user_groups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE TABLE group_members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    group_id BIGINT NOT NULL REFERENCES user_groups(id),
    user_key TEXT NOT NULL,
    since BIGINT NOT NULL,
    until BIGINT
);
CREATE INDEX group_members_user ON group_members(tenant_id, user_key);
CREATE TABLE subscriptions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES user_groups(id),
    package TEXT NOT NULL,
    attached_at BIGINT NOT NULL
);
CREATE TABLE user_aliases (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    alias_key TEXT NOT NULL,
    user_key TEXT NOT NULL,
    merged_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, alias_key)
);
CREATE TABLE gaps (
    device_id TEXT NOT NULL REFERENCES devices(id),
    from_seq BIGINT NOT NULL,
    to_seq BIGINT NOT NULL,
    reason TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, from_seq, to_seq)
);
CREATE TABLE forks (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq BIGINT NOT NULL,
    bytes_sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, seq, bytes_sha256)
);
CREATE TABLE chain_breaks (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE TABLE held_heartbeats (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    start_ts BIGINT NOT NULL,
    end_ts BIGINT NOT NULL,
    reason TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE TABLE purged_users (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    surrogate TEXT NOT NULL,
    purged_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, surrogate)
);
)SQL";

// Step 2 (issue 21, ingest): what a batch stores and what billing reads.
// * heartbeat_seqs: one narrow row per stored (device, seq), counted or held, unpartitioned:
//   the one unique key of the hot path (a unique constraint on a partitioned table would have
//   to include the partition key). `hash` is the first 64 bits of the heartbeat's SHA-256
//   (what the next heartbeat's `prev` names), `prev` the first 64 bits of its own `prev`:
//   dedupe, forks and chain breaks compare these, never the bytes.
// * heartbeat_evidence: the bytes of each batch's newly counted heartbeats (one row per
//   batch), partitioned by the UTC month received; retention drops whole partitions.
// * devices.seq_floor: seqs at or below it had their rows dropped by retention; one arriving
//   again is a duplicate.
// * the rollups, as in the SQLite store (server/store/rollups.h).
constexpr const char* kStep2 = R"SQL(
ALTER TABLE devices ADD COLUMN seq_floor BIGINT NOT NULL DEFAULT 0;
CREATE TABLE heartbeat_seqs (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq BIGINT NOT NULL,
    hash BIGINT NOT NULL,
    prev BIGINT NOT NULL,
    held BOOLEAN NOT NULL,
    month INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE TABLE heartbeat_evidence (
    month INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    first_seq BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    body BYTEA NOT NULL
) PARTITION BY RANGE (month);
CREATE INDEX heartbeat_evidence_device ON heartbeat_evidence(device_id, first_seq);
CREATE TABLE rollup_device_month (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    month INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    heartbeats BIGINT NOT NULL,
    active_minutes BIGINT NOT NULL,
    day_mask BIGINT NOT NULL,
    first_active BIGINT,
    last_active BIGINT,
    late_heartbeats BIGINT NOT NULL,
    late_minutes BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, month, device_id)
);
CREATE TABLE rollup_user_month (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    month INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    principal TEXT NOT NULL,
    local BOOLEAN NOT NULL,
    active_minutes BIGINT NOT NULL,
    day_mask BIGINT NOT NULL,
    first_active BIGINT,
    last_active BIGINT,
    late_minutes BIGINT NOT NULL,
    first_signal BIGINT,
    last_signal BIGINT,
    PRIMARY KEY (tenant_id, month, device_id, principal, local)
);
CREATE TABLE rollup_device_day (
    device_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    heartbeats BIGINT NOT NULL,
    active_minutes BIGINT NOT NULL,
    active_users BIGINT NOT NULL,
    last_end BIGINT NOT NULL,
    PRIMARY KEY (device_id, day)
);
CREATE TABLE rollup_bucket (
    device_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    day BIGINT NOT NULL,
    late BOOLEAN NOT NULL,
    segment BIGINT NOT NULL,
    heartbeats BIGINT NOT NULL,
    active_minutes BIGINT NOT NULL,
    first_start BIGINT NOT NULL,
    last_end BIGINT NOT NULL,
    PRIMARY KEY (device_id, hour, day, late, segment)
);
CREATE TABLE rollup_bucket_user (
    device_id TEXT NOT NULL,
    hour BIGINT NOT NULL,
    day BIGINT NOT NULL,
    late BOOLEAN NOT NULL,
    segment BIGINT NOT NULL,
    principal TEXT NOT NULL,
    local BOOLEAN NOT NULL,
    active_minutes BIGINT NOT NULL,
    first_start BIGINT NOT NULL,
    last_end BIGINT NOT NULL,
    PRIMARY KEY (device_id, hour, day, late, segment, principal, local)
);
)SQL";

// Step 3: month-close snapshots (DESIGN.md §5 rule 7), one per closed tenant-month, written
// once (INSERT … ON CONFLICT DO NOTHING: two servers closing a month at once store one).
constexpr const char* kStep3 = R"SQL(
CREATE TABLE month_snapshots (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    month INTEGER NOT NULL,
    closed_at BIGINT NOT NULL,
    format_version BIGINT NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, month)
);
)SQL";

// Step 4 (issue 21, verify-evidence): a served batch's evidence is the signed request body
// exactly as received (kind 0), its 64-byte signature and its counted seqs ("a-b,c-d"), so
// verify-evidence re-checks the signature byte for byte as on SQLite; kind 1 is the
// length-prefixed list of counted heartbeats (pg_evidence.h: rows from before step 4, bundle
// imports, bodies redacted by the purge). `id` names a batch in verify-evidence's output;
// rows from before step 4 have none (a volatile default would rewrite every partition).
constexpr const char* kStep4 = R"SQL(
CREATE SEQUENCE heartbeat_evidence_ids;
ALTER TABLE heartbeat_evidence ADD COLUMN id BIGINT, ADD COLUMN kind SMALLINT NOT NULL DEFAULT 1,
    ADD COLUMN counted TEXT, ADD COLUMN signature BYTEA;
ALTER TABLE heartbeat_evidence ALTER COLUMN id SET DEFAULT nextval('heartbeat_evidence_ids');
)SQL";

// Step 5 (issue 21, part H): the whole-month billing read takes the hourly buckets before the
// month by hour (pg_billing_reads.cpp) instead of scanning every bucket of the month.
constexpr const char* kStep5 = R"SQL(
CREATE INDEX rollup_bucket_hour ON rollup_bucket(hour);
CREATE INDEX rollup_bucket_user_hour ON rollup_bucket_user(hour);
)SQL";

// Step 6 (issue 20, months split by the trailing window): each user's active minutes per
// device and local day (the SQLite store's step 13; month_facts.h), filled from the hourly user
// buckets (each of one local day).
constexpr const char* kStep6 = R"SQL(
CREATE TABLE rollup_user_day (
    device_id TEXT NOT NULL REFERENCES devices(id),
    day BIGINT NOT NULL,
    principal TEXT NOT NULL,
    local BOOLEAN NOT NULL,
    active_minutes BIGINT NOT NULL,
    PRIMARY KEY (device_id, day, principal, local)
);
INSERT INTO rollup_user_day SELECT device_id, day, principal, local, sum(active_minutes)
    FROM rollup_bucket_user GROUP BY device_id, day, principal, local;
)SQL";

constexpr std::array<const char*, kPgSchemaVersion> kSteps = {kStep1, kStep2, kStep3,
                                                              kStep4, kStep5, kStep6};

// Any constant shared by every Tally server ("tally" in ASCII): serialises migrations
// across processes.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(499850112121)";

Result<int> current_version(PgConnection& c) {
    if (auto r =
            c.command("CREATE TABLE IF NOT EXISTS tally_schema_version (version INTEGER NOT NULL)");
        !r) {
        return r.error();
    }
    auto v = c.exec("SELECT version FROM tally_schema_version");
    if (!v) {
        return v.error();
    }
    if (v->rows() == 0) {
        if (auto r = c.exec("INSERT INTO tally_schema_version(version) VALUES (0)"); !r) {
            return r.error();
        }
        return 0;
    }
    return static_cast<int>(v->int64(0, 0));
}

}  // namespace

Result<void> pg_migrate(PgPool& pool) {
    return pg_transaction(pool, [](PgConnection& c) -> Result<void> {
        if (auto r = c.command(kMigrationLock); !r) {
            return r;
        }
        auto version = current_version(c);
        if (!version) {
            return version.error();
        }
        if (*version > kPgSchemaVersion) {
            return make_error("schema_newer",
                              "the PostgreSQL database has Tally schema version " +
                                  std::to_string(*version) + ", newer than this server's " +
                                  std::to_string(kPgSchemaVersion) +
                                  ": run a tally-server at least as new as the one that "
                                  "migrated it");
        }
        for (int step = *version; step < kPgSchemaVersion; ++step) {
            if (auto r = c.command(kSteps[static_cast<std::size_t>(step)]); !r) {
                return make_error(r.error().code, "schema step " + std::to_string(step + 1) + ": " +
                                                      r.error().message);
            }
        }
        return c.command("UPDATE tally_schema_version SET version = " +
                         std::to_string(kPgSchemaVersion));
    });
}

}  // namespace tally::server
