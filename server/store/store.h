#pragma once
// The domain operations tally-server needs from its database. SqliteStore implements it;
// a PostgreSQL store can be added beside it without touching ingest, HTTP or the CLI.
// Implementations are safe to call from several threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_store.h"
#include "server/store/records.h"
#include "server/store/storage_stats.h"

namespace tally::server {

//! The billing operations are declared in billing_store.h.
class Store : public BillingStore {
  public:
    ~Store() override = default;

    //! Error "exists" if the name is taken.
    virtual Result<void> add_tenant(std::string_view name, std::int64_t now) = 0;
    virtual Result<void> set_tenant_status(std::string_view name, std::string_view status) = 0;
    virtual Result<std::vector<Tenant>> list_tenants() = 0;
    virtual Result<std::optional<Tenant>> find_tenant(std::string_view name) = 0;

    virtual Result<void> add_pairing_code(const NewPairingCode& code, std::int64_t now) = 0;
    //! In one transaction: check the code (errors invalid_code, code_expired, code_exhausted,
    //! tenant_inactive), return the existing device for a known key (no use consumed), else
    //! consume one use and create the device.
    virtual Result<Device> pair_device(const PairAttempt& attempt) = 0;

    virtual Result<std::optional<Device>> find_device(std::string_view device_id) = 0;
    virtual Result<std::vector<Device>> list_devices(std::string_view tenant) = 0;
    //! Idempotent: retiring a retired device keeps the first retirement time.
    virtual Result<void> retire_device(std::string_view device_id, std::string_view reason,
                                       std::int64_t now) = 0;

    //! One transaction: store each (device, seq) once, keep forks, store gaps, advance ack.
    virtual Result<StoreBatchResult> store_batch(std::string_view device_id,
                                                 const std::vector<AcceptedHeartbeat>& hbs,
                                                 const std::vector<pairing::Gap>& gaps,
                                                 std::int64_t now) = 0;

    //! Gaps, forks, chain breaks, held heartbeats and revocation of one device.
    virtual Result<DeviceEvidence> device_evidence(std::string_view device_id) = 0;

    //! Errors: not_found (unknown tenant), db.
    virtual Result<void> create_admin_token(const NewAdminToken& token, std::int64_t now) = 0;
    //! A token without name or expiry (tests, and tokens as they were before issue 17).
    Result<void> add_admin_token(std::string_view token_hash,
                                 const std::optional<std::string>& tenant, std::int64_t now) {
        return create_admin_token({std::string(token_hash), tenant, "", std::nullopt}, now);
    }
    //! The token by hash, revoked or expired ones included (auth/admin_token.h decides).
    virtual Result<std::optional<AdminToken>> find_admin_token(std::string_view token_hash) = 0;
    virtual Result<std::vector<AdminTokenInfo>> list_admin_tokens() = 0;
    //! Errors: not_found (no token with that id), db. Revoking twice keeps the first time.
    virtual Result<void> revoke_admin_token(std::string_view id, std::int64_t now) = 0;

    //! The database files' sizes and the evidence rows now (GET /metrics).
    virtual Result<StorageStats> storage_stats() = 0;

    //! Aggregates heartbeats whose start lies in [from, to) for the tenant's devices.
    virtual Result<UsageData> usage(std::string_view tenant, std::int64_t from,
                                    std::int64_t to) = 0;
};

}  // namespace tally::server
