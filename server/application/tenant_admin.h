#pragma once
// Use cases: add a tenant, list tenants, change a tenant's policy, trial or status. The
// rules (policy values, status changes, closed months) are billing/tenant_policy.h's.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/application/admin_access.h"
#include "server/billing/tenant_policy.h"
#include "server/store/tenant_store.h"

namespace tally::server::application {

enum class TenantChange { policy, trial, status };

class TenantAdmin {
  public:
    explicit TenantAdmin(TenantStore& store) : store_(store) {}

    //! Errors: bad_request (an option), exists (name taken), db.
    Result<TenantSettings> add(const std::string& name, const billing::Options& options,
                               std::int64_t now);
    //! The tenants the caller may see (a tenant admin: its own).
    Result<std::vector<TenantSettings>> list(const Caller& caller);
    //! Applies and stores one change. `status` is read for TenantChange::status only;
    //! trial needs the trial-end option. Errors: bad_request (incl. an `at` in a closed
    //! month), db.
    Result<TenantSettings> change(TenantSettings tenant, TenantChange what, std::string_view status,
                                  const billing::Options& options, std::int64_t now);

  private:
    TenantStore& store_;
};

}  // namespace tally::server::application
