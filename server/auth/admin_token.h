#pragma once
// Admin tokens: 32 random bytes shown once ("tat_" + base64url); only their SHA-256 (hex)
// is stored. A token is global (every tenant) or bound to one tenant; it has a name, an
// expiry (90 days by default) and can be revoked (`tally-server admin-token list|revoke`).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pairing/result.h"
#include "server/store/admin_token_store.h"

namespace tally::server {

std::string generate_admin_token();
std::string hash_admin_token(std::string_view token);

//! How long a new admin token lives unless --expires says otherwise.
inline constexpr std::int64_t kDefaultAdminTokenLifetime = 90 * 86400;

//! The token with hash `token_hash` if it is usable at `now`: nullopt when unknown, revoked
//! or expired (the three look alike to a caller).
Result<std::optional<AdminToken>> find_usable_admin_token(AdminTokenStore& store,
                                                          std::string_view token_hash,
                                                          std::int64_t now);

//! Checks an `Authorization` header value for access to a tenant's reports.
//! Errors: unauthorized (missing/unknown/revoked/expired token), forbidden (another tenant's
//! token), db.
Result<void> authorize_tenant_access(AdminTokenStore& store, std::string_view authorization,
                                     std::string_view tenant, std::int64_t now);

}  // namespace tally::server
