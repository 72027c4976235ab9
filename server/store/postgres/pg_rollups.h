#pragma once
// The usage rollups (server/store/rollups.h: the same rows, the same Rollups::add) on
// PostgreSQL: a tenant's clock read in the caller's transaction, a batch's additions upserted
// with one multi-row statement per table, and a rebuild from the stored evidence (a change of
// time zone, grace or billing cuts). Every write of a device's rollups happens with its
// devices row locked (store_batch, rebuild), so two servers never race on one device's rows.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/store/postgres/pg_connection.h"
#include "server/store/rollups.h"

namespace tally::server {

//! Each zone's TZif file parsed once per process (thread-safe).
class PgZones {
  public:
    Result<billing::TimeZone> get(const std::string& zone);

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, billing::TimeZone> zones_;
};

//! The tenant's clock (zone, grace, billing cuts; with `retired`, its devices' retirements),
//! read in the caller's transaction. Error not_found for an unknown tenant id.
Result<detail::TenantClock> pg_tenant_clock(PgConnection& c, PgZones& zones, std::int64_t tenant_id,
                                            bool retired);

//! The clock of a tenant from its row's values as read by the caller (`spans`: the inactive
//! spans as "since,until;since,until" or empty), without retirements (ingest's clock).
Result<detail::TenantClock> pg_clock_of(PgZones& zones, std::int64_t tenant_id,
                                        const std::string& zone, std::int64_t grace_hours,
                                        std::optional<std::int64_t> trial_end,
                                        std::optional<std::int64_t> inactive_since,
                                        const std::string& spans);

//! Adds `delta` to the tenant's stored rows, inside the caller's transaction.
Result<void> pg_apply_rollups(PgConnection& c, std::int64_t tenant_id,
                              const detail::Rollups& delta);

//! The device and user month rows of the tenant's month YYYYMM.
Result<detail::Rollups> pg_read_month_rollups(PgConnection& c, std::int64_t tenant_id,
                                              std::int64_t month);

//! Deletes and recomputes the tenant's rollups from its stored evidence (its devices locked
//! first), inside the caller's transaction.
Result<void> pg_rebuild_rollups(PgConnection& c, PgZones& zones, std::int64_t tenant_id);

}  // namespace tally::server
