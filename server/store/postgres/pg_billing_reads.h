#pragma once
// The set-based reads behind PostgresStore::billing_facts and report_facts (a fixed number of
// statements whatever the device count), in the caller's transaction: billing reads the
// rollups' buckets (server/store/rollups.h BucketKey), never raw heartbeats, as the SQLite
// store does (server/store/billing_queries.cpp).

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/store/billing_records.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/pg_rollups.h"

namespace tally::server {

//! The facts of billing_facts (bucket starts in [from, to)). With `signals_when_assigned`, the
//! users' last signals are read only when the tenant has an admin assignment. With `month`, the
//! devices no cut splits in that month are one whole-month fact each (month_facts.h). With
//! `whole`, the devices whole there too, parallel to the facts' devices.
Result<BillingFacts> pg_read_billing_facts(PgConnection& c, PgZones& zones, std::string_view tenant,
                                           std::int64_t from, std::int64_t to,
                                           bool signals_when_assigned,
                                           const MonthWindow* month = nullptr,
                                           std::vector<Device>* whole = nullptr);

//! The delivery evidence of each of the tenant's `devices`, by device id.
Result<std::unordered_map<std::string, DeviceEvidence>> pg_read_tenant_evidence(
    PgConnection& c, std::int64_t tenant_id, const std::vector<BillingDevice>& devices);

}  // namespace tally::server
