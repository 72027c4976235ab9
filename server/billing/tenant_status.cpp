// Tenant status and billable window (see tenant_status.h).

#include "server/billing/tenant_status.h"

#include <algorithm>

namespace tally::server::billing {

bool stored_inactive(const TenantSettings& tenant) {
    return domain::parse_tenant_status(tenant.status) == domain::TenantStatus::inactive;
}

domain::TenantStatus tenant_status(const TenantSettings& tenant, std::int64_t now) {
    if (stored_inactive(tenant)) {
        return domain::TenantStatus::inactive;
    }
    if (tenant.trial_end && now < *tenant.trial_end) {
        return domain::TenantStatus::in_trial;
    }
    return domain::TenantStatus::active;
}

std::string effective_status(const TenantSettings& tenant, std::int64_t now) {
    return std::string(domain::to_string(tenant_status(tenant, now)));
}

std::optional<std::pair<std::int64_t, std::int64_t>> billable_window(const TenantSettings& tenant,
                                                                     std::int64_t month_from,
                                                                     std::int64_t month_to) {
    auto from = month_from;
    auto to = month_to;
    if (tenant.trial_end) {
        from = std::max(from, *tenant.trial_end);
    }
    if (stored_inactive(tenant)) {
        if (!tenant.inactive_since) {
            return std::nullopt;  // inactive since an unknown date: nothing is billed
        }
        to = std::min(to, *tenant.inactive_since);
    }
    if (from >= to) {
        return std::nullopt;
    }
    return std::make_pair(from, to);
}

std::vector<InactiveSpan> inactive_spans_in(const TenantSettings& tenant, std::int64_t month_from,
                                            std::int64_t month_to) {
    std::vector<InactiveSpan> out;
    for (const auto& span : tenant.inactive_spans) {
        const auto since = std::max(span.since, month_from);
        const auto until = std::min(span.until, month_to);
        if (since < until) {
            out.push_back({since, until});
        }
    }
    return out;
}

}  // namespace tally::server::billing
