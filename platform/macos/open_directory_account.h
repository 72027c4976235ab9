#pragma once
// Where a macOS account comes from, asked of Open Directory (CFOpenDirectory C API): a user
// record in the local node, and its OriginalNodeName (set on mobile accounts cached from
// Active Directory or LDAP). account_origin.h turns the answer into a principal.

#include <optional>
#include <string>

#include "platform/macos/account_origin.h"

namespace tally::platform {

//! nullopt when Open Directory cannot be asked (the caller keeps the POSIX answer).
std::optional<AccountOrigin> lookup_account_origin(const std::string& name);

}  // namespace tally::platform
