// Group and subscription use cases (see group_admin.h).

#include "server/application/group_admin.h"

#include "server/billing/user_key.h"
#include "server/domain/error_code.h"

namespace tally::server::application {
namespace {

constexpr std::size_t kMaxName = 64;

}  // namespace

Result<void> GroupAdmin::add_group(const std::string& tenant, const std::string& group,
                                   std::int64_t now) {
    if (group.empty() || group.size() > kMaxName) {
        return domain::make_error(domain::ErrorCode::bad_request,
                                  "group name must be 1-64 characters");
    }
    return store_.add_group(tenant, group, now);
}

Result<std::vector<GroupInfo>> GroupAdmin::list_groups(const std::string& tenant) {
    return store_.list_groups(tenant);
}

Result<std::string> GroupAdmin::add_member(const std::string& tenant, const std::string& group,
                                           const std::string& principal, std::int64_t now) {
    auto key = billing::user_key_from_admin(principal);
    if (auto r = store_.move_user_to_group(tenant, group, key, now); !r) {
        return r.error();
    }
    return key;
}

Result<void> GroupAdmin::attach(const std::string& tenant, const std::string& group,
                                const std::string& package, std::int64_t now) {
    if (package.empty() || package.size() > kMaxName) {
        return domain::make_error(domain::ErrorCode::bad_request,
                                  "package must be 1-64 characters");
    }
    return store_.attach_subscription(tenant, group, package, now);
}

Result<std::vector<SubscriptionInfo>> GroupAdmin::list_subscriptions(const std::string& tenant) {
    return store_.list_subscriptions(tenant);
}

}  // namespace tally::server::application
