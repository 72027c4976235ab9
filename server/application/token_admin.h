#pragma once
// Use cases: create, list and revoke admin tokens (auth/admin_token.h says what a token is).
// Only a global admin manages tokens (the CLI is one). The token itself is returned once, by
// create; the store keeps its hash, lists show an id (the hash's first 12 hex digits).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/application/admin_access.h"
#include "server/store/admin_token_store.h"

namespace tally::server::application {

enum class TokenState { active, expired, revoked };
std::string_view to_string(TokenState state);

struct NewToken {
    std::optional<std::string> tenant;  //!< nullopt: a global token
    std::string name;                   //!< at most 128 bytes, may be empty
    std::string expires = "90d";        //!< lifetime: a duration such as 90d or 12h
};

struct IssuedToken {
    std::string token;  //!< shown once: never stored, never listed
    std::string id;
    std::int64_t expires_at = 0;
};

struct TokenView {
    AdminTokenInfo info;
    TokenState state = TokenState::active;
};

class TokenAdmin {
  public:
    explicit TokenAdmin(AdminTokenStore& store) : store_(store) {}

    //! Errors: forbidden (not a global admin), bad_request (name too long, expiry not a
    //! duration), not_found (unknown tenant), db.
    Result<IssuedToken> create(const Caller& caller, const NewToken& request, std::int64_t now);
    //! Every token with its state at `now`. Errors: forbidden, db.
    Result<std::vector<TokenView>> list(const Caller& caller, std::int64_t now);
    //! The token stops working at once; revoking twice keeps the first time. Errors:
    //! forbidden, not_found (no token with that id), db.
    Result<void> revoke(const Caller& caller, std::string_view id, std::int64_t now);

  private:
    AdminTokenStore& store_;
};

//! The state of a listed token at `now`.
TokenState token_state(const AdminTokenInfo& token, std::int64_t now);

}  // namespace tally::server::application
