#pragma once
// Every operation tally-server needs from its database, as the union of the narrow
// interfaces its callers take (each small, one concern):
//   TenantStore (tenant_store.h)       tenants and their policy
//   DeviceStore (device_store.h)       device records, lifecycle writes, admin corrections
//   GroupStore (group_store.h)         groups, subscriptions, principal merges
//   BillingReadStore                   billing facts, report facts, usage
//   PurgeStore (purge_store.h)         purge of user metadata
//   PairingStore (pairing_store.h)     pairing codes and pairing
//   IngestStore (ingest_store.h)       storing a verified batch
//   AdminTokenStore                    admin token hashes
//   ConsoleStore (console_store.h)     the /ui console's rollup reads
//   MonthCloseStore                    closed months' frozen bills (month_close_store.h)
//   EvidenceVerifyStore                verify-evidence (evidence_verify_store.h)
// SqliteStore implements them all; a PostgreSQL store can be added beside it without
// touching ingest, HTTP or the CLI. Implementations are safe to call from several threads.

#include "server/store/admin_token_store.h"
#include "server/store/billing_store.h"
#include "server/store/console_store.h"
#include "server/store/evidence_verify_store.h"
#include "server/store/ingest_store.h"
#include "server/store/month_close_store.h"
#include "server/store/pairing_store.h"
#include "server/store/storage_stats.h"

namespace tally::server {

class Store : public BillingStore,
              public PairingStore,
              public IngestStore,
              public AdminTokenStore,
              public ConsoleStore,
              public MonthCloseStore,
              public EvidenceVerifyStore {
  public:
    ~Store() override = default;

    //! The database files' sizes and the evidence rows now (GET /metrics).
    virtual Result<StorageStats> storage_stats() = 0;
};

}  // namespace tally::server
