#pragma once
// Who a session belongs to: account name, uid, principal, local vs directory account, and
// whether it is a system account (below UID_MIN, or a nologin/false shell).
//
// Local accounts are those in /etc/passwd. An account NSS resolves from elsewhere (SSSD,
// winbind, LDAP) is a directory account, whatever its name looks like; its principal is
// "user@REALM" (SSSD fully qualified) or "DOMAIN\user" (winbind, also with the "+"
// separator), or the bare name when the directory gives a short one.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "agent/interfaces/activity_source.h"

namespace tally::platform {

struct AccountInfo {
    std::string user;
    std::optional<std::uint32_t> uid;
    std::string principal;
    bool local_account = true;
    bool system_account = false;
};

//! The rules, without NSS: `in_passwd_file` says whether /etc/passwd lists the name.
AccountInfo classify_account(std::string name, std::optional<std::uint32_t> uid,
                             std::string_view shell, std::uint32_t uid_min, bool in_passwd_file);

//! Whether `passwd_file` has an entry for `name` (the local account database).
bool listed_in_passwd_file(const std::string& name,
                           const std::filesystem::path& passwd_file = "/etc/passwd");

//! getpwuid_r; an unknown uid gives its number as the name.
AccountInfo account_by_uid(std::uint32_t uid, std::uint32_t uid_min);
//! getpwnam_r; an unknown name keeps the name, with no uid.
AccountInfo account_by_name(const std::string& name, std::uint32_t uid_min);

//! Copies the account fields into a sample.
void apply_account(const AccountInfo& account, agent::SessionSample& sample);

}  // namespace tally::platform
