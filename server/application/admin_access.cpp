// Admin access rules (see admin_access.h).

#include "server/application/admin_access.h"

#include "server/billing/tenant_status.h"
#include "server/domain/error_code.h"

namespace tally::server::application {

using domain::ErrorCode;

Result<TenantSettings> tenant_access(TenantStore& store, const Caller& caller,
                                     const std::string& tenant, std::int64_t now) {
    if (caller.tenant && *caller.tenant != tenant) {
        return domain::make_error(ErrorCode::forbidden,
                                  "this admin token is not valid for tenant '" + tenant + "'");
    }
    auto settings = store.tenant_settings(tenant);
    if (!settings) {
        return settings.error();
    }
    if (caller.tenant && billing::tenant_status(*settings, now) == domain::TenantStatus::inactive) {
        return domain::make_error(ErrorCode::tenant_inactive,
                                  "tenant '" + tenant + "' is inactive");
    }
    return settings;
}

Result<void> global_only(const Caller& caller) {
    if (caller.tenant) {
        return domain::make_error(ErrorCode::forbidden, "this needs a global admin token");
    }
    return {};
}

}  // namespace tally::server::application
