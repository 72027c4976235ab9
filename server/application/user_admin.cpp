// User use cases (see user_admin.h).

#include "server/application/user_admin.h"

#include "server/billing/billing_engine.h"
#include "server/billing/user_key.h"
#include "server/billing/user_retention.h"

namespace tally::server::application {

std::string_view to_string(UserStatus status) {
    switch (status) {
        case UserStatus::active:
            return "active";
        case UserStatus::released:
            return "released";
        case UserStatus::purged:
            return "purged";
    }
    return "active";
}

Result<std::vector<UserView>> UserAdmin::list(const std::string& tenant, std::int64_t now) {
    auto facts = reads_.billing_facts(tenant, 0, 0);
    if (!facts) {
        return facts.error();
    }
    std::vector<UserView> out;
    for (const auto& s : facts->signals) {
        UserView u{billing::user_key(s.principal, s.local, s.device_id),
                   s.principal,
                   s.local,
                   s.first_seen,
                   s.last_signal,
                   UserStatus::active,
                   std::nullopt};
        if (billing::is_surrogate(u.key)) {
            u.status = UserStatus::purged;
        } else if (billing::is_released(s.last_signal, now)) {
            u.status = UserStatus::released;
        }
        if (auto canonical = billing::resolve_alias(facts->aliases, u.key); canonical != u.key) {
            u.merged_into = canonical;
        }
        out.push_back(std::move(u));
    }
    return out;
}

Result<std::pair<std::string, std::string>> UserAdmin::merge(const std::string& tenant,
                                                             const std::string& from,
                                                             const std::string& into,
                                                             std::int64_t now) {
    auto keys =
        std::make_pair(billing::user_key_from_admin(from), billing::user_key_from_admin(into));
    if (auto r = groups_.merge_users(tenant, keys.first, keys.second, now); !r) {
        return r.error();
    }
    return keys;
}

}  // namespace tally::server::application
