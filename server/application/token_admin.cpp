// Admin token use cases (see token_admin.h).

#include "server/application/token_admin.h"

#include "server/auth/admin_token.h"
#include "server/domain/duration.h"
#include "server/domain/error_code.h"

namespace tally::server::application {
namespace {

constexpr std::size_t kMaxNameBytes = 128;

}  // namespace

std::string_view to_string(TokenState state) {
    switch (state) {
        case TokenState::active:
            return "active";
        case TokenState::expired:
            return "expired";
        case TokenState::revoked:
            return "revoked";
    }
    return "revoked";
}

TokenState token_state(const AdminTokenInfo& token, std::int64_t now) {
    if (token.revoked_at) {
        return TokenState::revoked;
    }
    return token.expires_at && *token.expires_at <= now ? TokenState::expired : TokenState::active;
}

Result<IssuedToken> TokenAdmin::create(const Caller& caller, const NewToken& request,
                                       std::int64_t now) {
    if (auto g = global_only(caller); !g) {
        return g.error();
    }
    const auto lifetime = domain::parse_duration_seconds(request.expires);
    if (!lifetime) {
        return domain::make_error(domain::ErrorCode::bad_request,
                                  "expires must be a duration such as 90d or 12h");
    }
    if (request.name.size() > kMaxNameBytes) {
        return domain::make_error(domain::ErrorCode::bad_request, "name must be at most 128 bytes");
    }
    IssuedToken issued{generate_admin_token(), "", now + *lifetime};
    const NewAdminToken made{hash_admin_token(issued.token), request.tenant, request.name,
                             issued.expires_at};
    if (auto r = store_.create_admin_token(made, now); !r) {
        return r.error();
    }
    issued.id = made.token_hash.substr(0, 12);
    return issued;
}

Result<std::vector<TokenView>> TokenAdmin::list(const Caller& caller, std::int64_t now) {
    if (auto g = global_only(caller); !g) {
        return g.error();
    }
    auto tokens = store_.list_admin_tokens();
    if (!tokens) {
        return tokens.error();
    }
    std::vector<TokenView> out;
    out.reserve(tokens->size());
    for (auto& t : *tokens) {
        const auto state = token_state(t, now);
        out.push_back({std::move(t), state});
    }
    return out;
}

Result<void> TokenAdmin::revoke(const Caller& caller, std::string_view id, std::int64_t now) {
    if (auto g = global_only(caller); !g) {
        return g;
    }
    return store_.revoke_admin_token(id, now);
}

}  // namespace tally::server::application
