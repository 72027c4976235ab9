#pragma once
// Who a session belongs to: account name, uid, principal, local vs directory account, and
// whether it is a system account (below UID_MIN, or a nologin/false shell).

#include <cstdint>
#include <optional>
#include <string>

#include "agent/interfaces/activity_source.h"

namespace tally::platform {

struct AccountInfo {
    std::string user;
    std::optional<std::uint32_t> uid;
    std::string principal;
    bool local_account = true;
    bool system_account = false;
};

//! getpwuid_r; an unknown uid gives its number as the name.
AccountInfo account_by_uid(std::uint32_t uid, std::uint32_t uid_min);
//! getpwnam_r; an unknown name keeps the name, with no uid.
AccountInfo account_by_name(const std::string& name, std::uint32_t uid_min);

//! Copies the account fields into a sample.
void apply_account(const AccountInfo& account, agent::SessionSample& sample);

}  // namespace tally::platform
