#pragma once
// User groups, subscriptions and principal merges (DESIGN.md §5 rule 6).
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

namespace tally::server {

class GroupStore {
  public:
    virtual ~GroupStore() = default;

    virtual Result<void> add_group(std::string_view tenant, std::string_view group,
                                   std::int64_t now) = 0;
    virtual Result<std::vector<GroupInfo>> list_groups(std::string_view tenant) = 0;
    //! Ends the user's current membership (if any) and starts one in `group`.
    virtual Result<void> move_user_to_group(std::string_view tenant, std::string_view group,
                                            std::string_view user_key, std::int64_t now) = 0;
    virtual Result<void> attach_subscription(std::string_view tenant, std::string_view group,
                                             std::string_view package, std::int64_t now) = 0;
    virtual Result<std::vector<SubscriptionInfo>> list_subscriptions(std::string_view tenant) = 0;
    //! From now on `from_key` counts as `into_key` (also for past months).
    virtual Result<void> merge_users(std::string_view tenant, std::string_view from_key,
                                     std::string_view into_key, std::int64_t now) = 0;
};

}  // namespace tally::server
