#pragma once
// The billing part of the Store (DESIGN.md §5): tenant policy, devices and their admin
// corrections, groups and subscriptions, principal merges, the facts the billing engine
// reads and the purge of user metadata. Each part is a narrow interface of its own; this
// one only groups them. SqliteStore implements it in sqlite_store_billing*.cpp. User keys
// are made by server/billing/user_key.h.

#include "server/store/billing_read_store.h"
#include "server/store/device_store.h"
#include "server/store/group_store.h"
#include "server/store/purge_store.h"
#include "server/store/tenant_store.h"

namespace tally::server {

class BillingStore : public TenantStore,
                     public DeviceStore,
                     public GroupStore,
                     public BillingReadStore,
                     public PurgeStore {
  public:
    ~BillingStore() override = default;
};

}  // namespace tally::server
