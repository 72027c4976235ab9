// Tenant use cases (see tenant_admin.h).

#include "server/application/tenant_admin.h"

#include "server/domain/error_code.h"

namespace tally::server::application {

Result<TenantSettings> TenantAdmin::add(const std::string& name, const billing::Options& options,
                                        std::int64_t now) {
    TenantSettings t;
    t.name = name;
    if (auto p = billing::apply_tenant_policy(t, options); !p) {
        return p.error();
    }
    if (auto a = store_.add_tenant(name, now); !a) {
        return a.error();
    }
    if (auto u = store_.update_tenant_settings(t); !u) {
        return u.error();
    }
    return store_.tenant_settings(name);
}

Result<std::vector<TenantSettings>> TenantAdmin::list(const Caller& caller) {
    auto tenants = store_.list_tenants();
    if (!tenants) {
        return tenants.error();
    }
    std::vector<TenantSettings> out;
    for (const auto& t : *tenants) {
        if (caller.tenant && *caller.tenant != t.name) {
            continue;
        }
        auto s = store_.tenant_settings(t.name);
        if (!s) {
            return s.error();
        }
        out.push_back(std::move(*s));
    }
    return out;
}

Result<TenantSettings> TenantAdmin::change(TenantSettings t, TenantChange what,
                                           std::string_view status, const billing::Options& options,
                                           std::int64_t now) {
    Result<void> changed;
    if (what == TenantChange::status) {
        changed = billing::change_tenant_status(t, status, options, now);
    } else if (what == TenantChange::trial && !options.contains("trial-end")) {
        changed = domain::make_error(domain::ErrorCode::bad_request, "trial-end is required");
    } else {
        changed = billing::apply_tenant_policy(t, options);
    }
    if (!changed) {
        return changed.error();
    }
    if (auto u = store_.update_tenant_settings(t); !u) {
        return u.error();
    }
    return t;
}

}  // namespace tally::server::application
