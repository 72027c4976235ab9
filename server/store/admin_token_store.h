#pragma once
// Admin tokens: only hashes are kept (auth/admin_token.h decides what is usable).
// One of the narrow store interfaces (store.h lists them); SqliteStore implements them all
// and callers take only the one they need. Implementations are safe to call from several
// threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/records.h"

namespace tally::server {

class AdminTokenStore {
  public:
    virtual ~AdminTokenStore() = default;

    //! Errors: not_found (unknown tenant), db.
    virtual Result<void> create_admin_token(const NewAdminToken& token, std::int64_t now) = 0;
    //! A token without name or expiry (tests, and tokens as they were before issue 17).
    Result<void> add_admin_token(std::string_view token_hash,
                                 const std::optional<std::string>& tenant, std::int64_t now) {
        return create_admin_token({std::string(token_hash), tenant, "", std::nullopt}, now);
    }
    //! The token by hash, revoked or expired ones included.
    virtual Result<std::optional<AdminToken>> find_admin_token(std::string_view token_hash) = 0;
    virtual Result<std::vector<AdminTokenInfo>> list_admin_tokens() = 0;
    //! Errors: not_found (no token with that id), db. Revoking twice keeps the first time.
    virtual Result<void> revoke_admin_token(std::string_view id, std::int64_t now) = 0;
};

}  // namespace tally::server
