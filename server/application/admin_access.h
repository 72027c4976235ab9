#pragma once
// Who may act on a tenant (DESIGN.md §6): a global admin on every tenant (the CLI is one); a
// tenant admin only on its own tenant, only while it is not inactive, never on global
// operations. Shared by the admin API, the web page and the CLI.

#include <cstdint>
#include <optional>
#include <string>

#include "pairing/result.h"
#include "server/store/tenant_store.h"

namespace tally::server::application {

struct Caller {
    std::optional<std::string> tenant;  //!< nullopt: a global admin
    static Caller global() { return {}; }
};

//! The tenant's settings when the caller may act on it. Errors: forbidden (another
//! tenant's token), not_found (unknown tenant), tenant_inactive (tenant admin), db.
Result<TenantSettings> tenant_access(TenantStore& store, const Caller& caller,
                                     const std::string& tenant, std::int64_t now);
//! Error forbidden unless the caller is a global admin.
Result<void> global_only(const Caller& caller);

}  // namespace tally::server::application
