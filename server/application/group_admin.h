#pragma once
// Use cases: user groups and the subscriptions that attach a package to them (DESIGN.md §5
// rule 6). A user is in at most one group: add_member moves it (dated, so months already
// judged keep the package they had).

#include <cstdint>
#include <string>
#include <vector>

#include "pairing/result.h"
#include "server/store/group_store.h"

namespace tally::server::application {

class GroupAdmin {
  public:
    explicit GroupAdmin(GroupStore& store) : store_(store) {}

    //! Errors: bad_request (name not 1-64 characters), exists, db.
    Result<void> add_group(const std::string& tenant, const std::string& group, std::int64_t now);
    Result<std::vector<GroupInfo>> list_groups(const std::string& tenant);
    //! Returns the user key of `principal`.
    Result<std::string> add_member(const std::string& tenant, const std::string& group,
                                   const std::string& principal, std::int64_t now);
    //! Errors: bad_request (package not 1-64 characters), not_found (group), db.
    Result<void> attach(const std::string& tenant, const std::string& group,
                        const std::string& package, std::int64_t now);
    Result<std::vector<SubscriptionInfo>> list_subscriptions(const std::string& tenant);

  private:
    GroupStore& store_;
};

}  // namespace tally::server::application
