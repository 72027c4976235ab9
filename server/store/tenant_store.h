#pragma once
// Tenants and their policy (DESIGN.md §5 rule 5): the admin's tenant operations.
// One of the narrow store interfaces (store.h lists them); SqliteStore implements them all
// and callers take only the one they need. Implementations are safe to call from several
// threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_records.h"
#include "server/store/records.h"

namespace tally::server {

class TenantStore {
  public:
    virtual ~TenantStore() = default;

    //! Error "exists" if the name is taken.
    virtual Result<void> add_tenant(std::string_view name, std::int64_t now) = 0;
    virtual Result<void> set_tenant_status(std::string_view name, std::string_view status) = 0;
    virtual Result<std::vector<Tenant>> list_tenants() = 0;
    virtual Result<std::optional<Tenant>> find_tenant(std::string_view name) = 0;
    //! Error not_found for an unknown tenant.
    virtual Result<TenantSettings> tenant_settings(std::string_view tenant) = 0;
    //! Writes every field but name and created_at.
    virtual Result<void> update_tenant_settings(const TenantSettings& settings) = 0;
};

}  // namespace tally::server
