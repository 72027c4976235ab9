#pragma once
// Internal to the SQLite store: the set-based reads behind billing_facts and report_facts
// (a fixed number of statements whatever the device count). The caller holds the store's
// mutex and, for one snapshot, a read transaction.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/store/billing_records.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! The tenant's row id; error not_found for an unknown tenant.
Result<std::int64_t> tenant_id(SqliteDb& db, std::string_view tenant);

//! Error not_found for an unknown tenant.
Result<TenantSettings> read_tenant_settings(SqliteDb& db, std::string_view tenant);

//! Which users' last signals read_billing_facts reads: every user's, or none when the tenant
//! has no admin assignment (the billing engine reads signals only to release assigned users).
enum class Signals { kAll, kWhenAssigned };

//! The facts of billing_facts (heartbeat starts in [from, to)). With `second`, a connection in
//! a read transaction on the same snapshot as `db` (see SqliteStore::report_facts), half of the
//! heartbeats are read on it, on a thread of their own; the facts are the same. With `month`
//! (a usage report's month inside [from, to)), devices no cut splits in that month are read as
//! one whole-month fact each (month_facts.h). With `whole`, the devices whole there too,
//! parallel to the facts' devices (a closed month's snapshot keeps them).
Result<BillingFacts> read_billing_facts(SqliteDb& db, std::string_view tenant, std::int64_t from,
                                        std::int64_t to, Signals signals = Signals::kAll,
                                        SqliteDb* second = nullptr,
                                        const MonthWindow* month = nullptr,
                                        std::vector<Device>* whole = nullptr);

//! The evidence of each of `devices` (the tenant's), by device id: the numbers
//! device_evidence gives one device at a time.
Result<std::unordered_map<std::string, DeviceEvidence>> read_tenant_evidence(
    SqliteDb& db, std::string_view tenant, const std::vector<BillingDevice>& devices);

//! BEGIN (deferred: a read snapshot, no write lock) and a first read, which fixes the snapshot
//! as of begin() … COMMIT on destruction.
class ReadTransaction {
  public:
    static Result<ReadTransaction> begin(SqliteDb& db);
    ReadTransaction(ReadTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    ReadTransaction& operator=(ReadTransaction&&) = delete;
    ~ReadTransaction();

  private:
    explicit ReadTransaction(SqliteDb& db) : db_(&db) {}
    SqliteDb* db_;
};

}  // namespace tally::server::detail
