// Admin token generation and checks (see admin_token.h).

#include "server/auth/admin_token.h"

#include "pairing/bytes.h"
#include "pairing/crypto.h"

namespace tally::server {

std::string generate_admin_token() {
    return "tat_" + pairing::base64url_encode(pairing::random_bytes(32));
}

std::string hash_admin_token(std::string_view token) {
    return pairing::hex_encode(pairing::sha256(token));
}

Result<std::optional<AdminToken>> find_usable_admin_token(AdminTokenStore& store,
                                                          std::string_view token_hash,
                                                          std::int64_t now) {
    auto token = store.find_admin_token(token_hash);
    if (!token || !*token) {
        return token;
    }
    const auto& t = **token;
    if (t.revoked_at || (t.expires_at && *t.expires_at <= now)) {
        return std::optional<AdminToken>();
    }
    return token;
}

Result<void> authorize_tenant_access(AdminTokenStore& store, std::string_view authorization,
                                     std::string_view tenant, std::int64_t now) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.substr(0, kBearer.size()) != kBearer ||
        authorization.size() == kBearer.size()) {
        return make_error("unauthorized",
                          "an 'Authorization: Bearer <admin token>' header is "
                          "required");
    }
    // Looked up by hash: the token itself is never compared or stored.
    auto token =
        find_usable_admin_token(store, hash_admin_token(authorization.substr(kBearer.size())), now);
    if (!token) {
        return token.error();
    }
    if (!*token) {
        return make_error("unauthorized",
                          "the admin token is not valid (unknown, expired or revoked)");
    }
    if ((*token)->tenant && *(*token)->tenant != tenant) {
        return make_error("forbidden",
                          "this admin token is not valid for tenant '" + std::string(tenant) + "'");
    }
    return {};
}

}  // namespace tally::server
