#pragma once
// Store on PostgreSQL (issue 21): a bounded pool of libpq connections (pg_pool.h), prepared
// statements, every write in one transaction run again on serialization failures, deadlocks
// and lost connections (pg_transaction.h), schema migrated on open (pg_schema.h). Several
// tally-server processes may share one database: every check-then-write takes the row lock
// it depends on (SELECT … FOR UPDATE), so a pairing code's uses hold across servers.
//
// Every interface of Store (store.h): `tally-server serve --db postgresql://…` runs on it.
// Methods live in postgres_store_*.cpp by family.

#include <cstddef>
#include <memory>
#include <string>

#include <mutex>
#include <set>

#include "server/store/postgres/pg_pool.h"
#include "server/store/postgres/pg_rollups.h"
#include "server/store/store.h"

namespace tally::server {

class PostgresStore final : public Store {
  public:
    static constexpr std::size_t kDefaultPoolSize = 16;

    //! Connects to a postgresql:// URL and migrates the schema. Errors: bad_request (not a
    //! postgresql:// URL), db_unavailable, schema_newer, db.
    static Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                       std::size_t pool_size = kDefaultPoolSize);

    // Tenants (postgres_store_tenants.cpp).
    Result<void> add_tenant(std::string_view name, std::int64_t now) override;
    Result<void> set_tenant_status(std::string_view name, std::string_view status) override;
    Result<std::vector<Tenant>> list_tenants() override;
    Result<std::optional<Tenant>> find_tenant(std::string_view name) override;
    Result<TenantSettings> tenant_settings(std::string_view tenant) override;
    Result<void> update_tenant_settings(const TenantSettings& settings) override;

    // Admin tokens (postgres_store_tokens.cpp).
    Result<void> create_admin_token(const NewAdminToken& token, std::int64_t now) override;
    Result<std::optional<AdminToken>> find_admin_token(std::string_view token_hash) override;
    Result<std::vector<AdminTokenInfo>> list_admin_tokens() override;
    Result<void> revoke_admin_token(std::string_view id, std::int64_t now) override;

    // Groups, subscriptions, merges (postgres_store_groups.cpp).
    Result<void> add_group(std::string_view tenant, std::string_view group,
                           std::int64_t now) override;
    Result<std::vector<GroupInfo>> list_groups(std::string_view tenant) override;
    Result<void> move_user_to_group(std::string_view tenant, std::string_view group,
                                    std::string_view user_key, std::int64_t now) override;
    Result<void> attach_subscription(std::string_view tenant, std::string_view group,
                                     std::string_view package, std::int64_t now) override;
    Result<std::vector<SubscriptionInfo>> list_subscriptions(std::string_view tenant) override;
    Result<void> merge_users(std::string_view tenant, std::string_view from_key,
                             std::string_view into_key, std::int64_t now) override;

    // Pairing (postgres_store_pairing.cpp).
    Result<void> add_pairing_code(const NewPairingCode& code, std::int64_t now) override;
    Result<Device> pair_device(const PairAttempt& attempt) override;

    // Devices (postgres_store_devices.cpp).
    Result<std::optional<Device>> find_device(std::string_view device_id) override;
    Result<std::vector<Device>> list_devices(std::string_view tenant) override;
    Result<void> retire_device(std::string_view device_id, std::string_view reason,
                               std::int64_t now) override;
    Result<DeviceEvidence> device_evidence(std::string_view device_id) override;
    Result<void> assign_device_user(std::string_view device_id,
                                    const std::optional<std::string>& user_key,
                                    std::int64_t now) override;
    Result<void> set_device_type(std::string_view device_id, std::string_view type,
                                 std::int64_t now) override;
    Result<std::vector<AssignmentFact>> device_assignments(std::string_view tenant) override;

    // Ingest (postgres_store_ingest.cpp).
    Result<StoreBatchResult> store_batch(std::string_view device_id,
                                         const std::vector<AcceptedHeartbeat>& hbs,
                                         const std::vector<pairing::Gap>& gaps,
                                         std::int64_t now) override;

    // Billing and usage reads (postgres_store_billing.cpp, postgres_store_usage.cpp).
    Result<BillingFacts> billing_facts(std::string_view tenant, std::int64_t from,
                                       std::int64_t to) override;
    Result<ReportFacts> report_facts(std::string_view tenant, std::int64_t from,
                                     std::int64_t to) override;
    Result<ReportFacts> month_report_facts(std::string_view tenant, const MonthWindow& w) override;
    Result<UsageData> usage(std::string_view tenant, std::int64_t from, std::int64_t to) override;

    // Purge and evidence retention (postgres_store_purge.cpp).
    Result<PurgeResult> purge_users(std::int64_t now) override;
    //! Drops the evidence partitions of months that ended more than `retention_days` before
    //! `now`, with their seqs' rows (the devices' seq_floor keeps later copies duplicates).
    //! Returns how many partitions were dropped.
    //! `batches_deleted`, if given, grows by the evidence rows dropped with them.
    Result<std::int64_t> drop_old_evidence(std::int64_t now, std::int64_t retention_days,
                                           std::int64_t* batches_deleted = nullptr);
    //! Evidence retention by policy.retention_days (drop_old_evidence); the dedupe rows
    //! (heartbeat_seqs) go with their month's partition.
    Result<EvidencePurgeResult> purge_evidence(std::int64_t now,
                                               const EvidencePolicy& policy) override;

    // Month close (postgres_store_snapshots.cpp).
    Result<std::optional<MonthSnapshot>> month_snapshot(std::string_view tenant,
                                                        std::string_view month) override;
    Result<bool> put_month_snapshot(std::string_view tenant,
                                    const MonthSnapshot& snapshot) override;
    Result<std::int64_t> late_heartbeats(std::string_view tenant, std::string_view month) override;
    Result<std::vector<std::string>> months_without_snapshot(std::string_view tenant) override;
    Result<std::vector<std::string>> months_with_snapshot(std::string_view tenant) override;
    Result<void> redact_month_snapshot(std::string_view tenant, std::string_view month,
                                       const std::string& body) override;

    // The console's reads and /metrics (postgres_store_console.cpp).
    Result<std::vector<ConsoleDay>> console_days(std::string_view tenant, std::int64_t month,
                                                 unsigned days_in_month) override;
    Result<std::vector<ConsoleDeviceDay>> console_device_days(std::string_view device_id,
                                                              std::int64_t first_day,
                                                              std::int64_t last_day) override;
    Result<std::vector<ConsoleEvent>> console_device_events(std::string_view device_id) override;
    Result<std::vector<ConsoleUserDevice>> console_user_month(
        std::string_view tenant, std::int64_t month, std::string_view principal,
        const std::vector<std::string>& device_ids) override;
    Result<std::vector<ConsoleUserDay>> console_user_days(
        std::string_view principal, bool local, const std::vector<std::string>& device_ids,
        std::int64_t first_day, std::int64_t last_day) override;
    Result<bool> console_month_active(std::string_view tenant, std::int64_t month) override;
    Result<StorageStats> storage_stats() override;

    //! The evidence kept by default (DESIGN.md §5 evidence_retention_days).
    static constexpr std::int64_t kEvidenceRetentionDays = 400;

  private:
    //! report_facts, with `month`: month_report_facts.
    Result<ReportFacts> read_report_facts(std::string_view tenant, std::int64_t from,
                                          std::int64_t to, const MonthWindow* month);
    explicit PostgresStore(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}
    //! Creates the evidence partition of month YYYYMM once per process.
    Result<void> ensure_partition(std::int64_t month);

    std::unique_ptr<PgPool> pool_;
    PgZones zones_;
    std::mutex partitions_mutex_;
    std::set<std::int64_t> partitions_;  //!< evidence partitions known to exist
};

namespace detail {
//! The tenant's id, read in the caller's transaction. Errors: not_found, db*.
Result<std::int64_t> pg_tenant_id(PgConnection& c, std::string_view tenant);
//! Columns that pg_device_from_row reads, for `FROM devices d JOIN tenants t`.
extern const char* const kPgDeviceColumns;
Device pg_device_from_row(const PgResult& r, int row);
//! The device selected by `where` (one parameter, $1), in the caller's transaction.
Result<std::optional<Device>> pg_device_where(PgConnection& c, const std::string& where,
                                              const PgParam& value);
//! The tenant's settings, read in the caller's transaction. Errors: not_found, db*.
Result<TenantSettings> pg_tenant_settings(PgConnection& c, std::string_view tenant);
//! The delivery evidence of one device, read in the caller's transaction.
Result<DeviceEvidence> pg_device_evidence(PgConnection& c, std::string_view device_id);
}  // namespace detail

}  // namespace tally::server
