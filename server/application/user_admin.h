#pragma once
// Use cases: the users seen on a tenant's devices (status active, released or purged under
// DESIGN.md §5 rule 4) and the merge of two principals that are one person.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_read_store.h"
#include "server/store/group_store.h"

namespace tally::server::application {

enum class UserStatus { active, released, purged };
std::string_view to_string(UserStatus status);

struct UserView {
    std::string key;
    std::string principal;
    bool local = false;
    std::int64_t first_seen = 0;
    std::int64_t last_signal = 0;
    UserStatus status = UserStatus::active;
    std::optional<std::string> merged_into;
};

class UserAdmin {
  public:
    UserAdmin(BillingReadStore& reads, GroupStore& groups) : reads_(reads), groups_(groups) {}

    Result<std::vector<UserView>> list(const std::string& tenant, std::int64_t now);
    //! Returns the two user keys (from, into).
    Result<std::pair<std::string, std::string>> merge(const std::string& tenant,
                                                      const std::string& from,
                                                      const std::string& into, std::int64_t now);

  private:
    BillingReadStore& reads_;
    GroupStore& groups_;
};

}  // namespace tally::server::application
