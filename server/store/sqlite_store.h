#pragma once
// Store on SQLite: one connection guarded by a mutex (writes are serialised anyway; reads
// are short), prepared statements, WAL, foreign keys, schema via PRAGMA user_version.
// Batches are stored by group commit (group_commit.h); the per-request device and tenant
// look-ups of ingest read through a small pool of read connections (sqlite_read_pool.h), so
// they never wait for a commit; WAL checkpoints run on one more (wal_checkpointer.h).
// The methods live in sqlite_store_*.cpp by family.

#include <memory>
#include <mutex>
#include <string>

#include "server/store/evidence_check.h"
#include "server/store/evidence_packs.h"
#include "server/store/group_commit.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_db.h"
#include "server/store/sqlite_read_pool.h"
#include "server/store/store.h"
#include "server/store/wal_checkpointer.h"

namespace tally::server {

class SqliteStore final : public Store {
  public:
    //! Opens or creates the database file and migrates it to the current schema.
    static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);

    Result<void> add_tenant(std::string_view name, std::int64_t now) override;
    Result<void> set_tenant_status(std::string_view name, std::string_view status) override;
    Result<std::vector<Tenant>> list_tenants() override;
    Result<std::optional<Tenant>> find_tenant(std::string_view name) override;

    Result<void> add_pairing_code(const NewPairingCode& code, std::int64_t now) override;
    Result<Device> pair_device(const PairAttempt& attempt) override;

    Result<std::optional<Device>> find_device(std::string_view device_id) override;
    Result<std::vector<Device>> list_devices(std::string_view tenant) override;
    Result<void> retire_device(std::string_view device_id, std::string_view reason,
                               std::int64_t now) override;

    Result<StoreBatchResult> store_batch(std::string_view device_id,
                                         const std::vector<AcceptedHeartbeat>& hbs,
                                         const std::vector<pairing::Gap>& gaps,
                                         std::int64_t now) override;
    Result<StoreBatchResult> store_signed_batch(std::string_view device_id,
                                                const SignedUpload& signed_body,
                                                const std::vector<AcceptedHeartbeat>& hbs,
                                                const std::vector<pairing::Gap>& gaps,
                                                std::int64_t now) override;
    //! The batch joins the next group commit without blocking; `done` runs after the commit.
    void store_signed_batch_async(BatchToStore batch, StoredBatchDone done) override;

    Result<DeviceEvidence> device_evidence(std::string_view device_id) override;

    Result<void> create_admin_token(const NewAdminToken& token, std::int64_t now) override;
    Result<std::optional<AdminToken>> find_admin_token(std::string_view token_hash) override;
    Result<std::vector<AdminTokenInfo>> list_admin_tokens() override;
    Result<void> revoke_admin_token(std::string_view id, std::int64_t now) override;

    Result<StorageStats> storage_stats() override;  // sqlite_store_stats.cpp
    Result<UsageData> usage(std::string_view tenant, std::int64_t from, std::int64_t to) override;

    // Billing (sqlite_store_billing.cpp, sqlite_store_purge.cpp).
    Result<TenantSettings> tenant_settings(std::string_view tenant) override;
    Result<void> update_tenant_settings(const TenantSettings& settings) override;
    Result<void> add_group(std::string_view tenant, std::string_view group,
                           std::int64_t now) override;
    Result<std::vector<GroupInfo>> list_groups(std::string_view tenant) override;
    Result<void> move_user_to_group(std::string_view tenant, std::string_view group,
                                    std::string_view user_key, std::int64_t now) override;
    Result<void> attach_subscription(std::string_view tenant, std::string_view group,
                                     std::string_view package, std::int64_t now) override;
    Result<std::vector<SubscriptionInfo>> list_subscriptions(std::string_view tenant) override;
    Result<void> assign_device_user(std::string_view device_id,
                                    const std::optional<std::string>& user_key,
                                    std::int64_t now) override;
    Result<void> set_device_type(std::string_view device_id, std::string_view type,
                                 std::int64_t now) override;
    Result<std::vector<AssignmentFact>> device_assignments(std::string_view tenant) override;
    Result<void> merge_users(std::string_view tenant, std::string_view from_key,
                             std::string_view into_key, std::int64_t now) override;
    Result<BillingFacts> billing_facts(std::string_view tenant, std::int64_t from,
                                       std::int64_t to) override;
    Result<ReportFacts> report_facts(std::string_view tenant, std::int64_t from,
                                     std::int64_t to) override;
    Result<ReportFacts> month_report_facts(std::string_view tenant, const MonthWindow& w) override;
    Result<PurgeResult> purge_users(std::int64_t now) override;
    Result<EvidencePurgeResult> purge_evidence(std::int64_t now,
                                               const EvidencePolicy& policy) override;

    // The console's reads (sqlite_store_console.cpp).
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

    // Month close (sqlite_store_snapshots.cpp).
    Result<std::optional<MonthSnapshot>> month_snapshot(std::string_view tenant,
                                                        std::string_view month) override;
    Result<bool> put_month_snapshot(std::string_view tenant,
                                    const MonthSnapshot& snapshot) override;
    Result<std::int64_t> late_heartbeats(std::string_view tenant, std::string_view month) override;
    Result<std::vector<std::string>> months_without_snapshot(std::string_view tenant) override;
    Result<std::vector<std::string>> months_with_snapshot(std::string_view tenant) override;
    Result<void> redact_month_snapshot(std::string_view tenant, std::string_view month,
                                       const std::string& body) override;

    //! Re-checks a tenant's month ("YYYY-MM", its time zone) from the stored evidence
    //! (sqlite_store_verify.cpp). Errors: not_found (tenant), bad_request (month), db.
    Result<EvidenceCheck> verify_evidence(std::string_view tenant, std::string_view month) override;

  private:
    SqliteStore(std::unique_ptr<SqliteDb> db, const std::string& path)
        : db_(std::move(db)), readers_(path, kReadConnections), group_commit_(*db_, mutex_) {}
    Result<StoreBatchResult> store_batch_grouped(std::string_view device_id,
                                                 const SignedUpload* signed_body,
                                                 const std::vector<AcceptedHeartbeat>& hbs,
                                                 const std::vector<pairing::Gap>& gaps,
                                                 std::int64_t now);
    Result<StoreBatchResult> store_batch_locked(std::string_view device_id,
                                                const SignedUpload* signed_body,
                                                const std::vector<AcceptedHeartbeat>& hbs,
                                                const std::vector<pairing::Gap>& gaps,
                                                std::int64_t now);
    //! report_facts, with `month`: month_report_facts.
    Result<ReportFacts> read_report_facts(std::string_view tenant, std::int64_t from,
                                          std::int64_t to, const MonthWindow* month);
    Result<std::optional<Device>> find_device_locked(std::string_view device_id);
    Result<std::optional<Device>> find_device_by_key_locked(std::string_view public_key);
    Result<DeviceEvidence> device_evidence_locked(std::string_view device_id);
    Result<std::int64_t> tenant_id_locked(std::string_view tenant);
    Result<std::int64_t> group_id_locked(std::int64_t tenant_id, std::string_view group);
    //! purge_evidence's deletes and pruning, one transaction.
    Result<EvidencePurgeResult> purge_evidence_locked(std::int64_t now,
                                                      const EvidencePolicy& policy);
    //! Compacts the next chunk of signed bodies after id `after` (advanced); `done` when no
    //! more. Returns how many it compacted.
    Result<std::int64_t> compact_evidence_chunk(std::int64_t& after, bool& done);
    //! Packs the next chunk of batches past the window, one transaction (evidence_packs.h).
    Result<detail::PackedChunk> pack_evidence_chunk(std::int64_t before,
                                                    detail::PackCursor& cursor);
    Result<PurgeResult> purge_tenant_locked(std::int64_t tenant_id, std::int64_t now);
    //! The tenant's zone and grace for the rollups, read in the caller's transaction.
    Result<const detail::TenantClock*> clock_locked(std::string_view tenant);

    std::mutex mutex_;
    std::unique_ptr<SqliteDb> db_;
    static constexpr std::size_t kReadConnections = 8;
    SqliteReadPool readers_;       //!< committed state only
    detail::TenantClocks clocks_;  //!< zone and grace of each tenant, for the rollups
    //! After what its units use: it commits the batches still queued when it is destroyed.
    GroupCommit group_commit_;
    std::unique_ptr<WalCheckpointer> checkpointer_;  //!< declared last: unhooks db_ first
};

}  // namespace tally::server
