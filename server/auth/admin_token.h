#pragma once
// Admin tokens: 32 random bytes shown once ("tat_" + base64url); only their SHA-256 (hex)
// is stored. A token is global (every tenant) or bound to one tenant.

#include <string>
#include <string_view>

#include "pairing/result.h"
#include "server/store/store.h"

namespace tally::server {

std::string generate_admin_token();
std::string hash_admin_token(std::string_view token);

//! Checks an `Authorization` header value for access to a tenant's reports.
//! Errors: unauthorized (missing/unknown token), forbidden (another tenant's token), db.
Result<void> authorize_tenant_access(Store& store, std::string_view authorization,
                                     std::string_view tenant);

}  // namespace tally::server
