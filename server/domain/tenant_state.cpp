// Tenant status (see tenant_state.h).

#include "server/domain/tenant_state.h"

namespace tally::server::domain {

std::optional<TenantStatus> parse_tenant_status(std::string_view text) {
    for (const auto s : {TenantStatus::in_trial, TenantStatus::active, TenantStatus::inactive}) {
        if (text == to_string(s)) {
            return s;
        }
    }
    return std::nullopt;
}

bool accepts_new_devices(std::string_view stored) {
    const auto status = parse_tenant_status(stored);
    return status && *status != TenantStatus::inactive;
}

std::string_view to_string(TenantStatus status) {
    switch (status) {
        case TenantStatus::in_trial:
            return "in_trial";
        case TenantStatus::active:
            return "active";
        case TenantStatus::inactive:
            return "inactive";
    }
    return "inactive";
}

}  // namespace tally::server::domain
