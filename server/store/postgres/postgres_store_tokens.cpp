// PostgresStore: admin tokens (only hashes are kept).

#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {

Result<void> PostgresStore::create_admin_token(const NewAdminToken& token, std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        // An unknown tenant must not silently yield a global (NULL tenant) token.
        auto r = token.tenant
                     ? c.exec(
                           "INSERT INTO admin_tokens(token_hash, tenant_id, created_at, name,"
                           " expires_at) SELECT $1, id, $2::bigint, $3, $4::bigint FROM tenants"
                           " WHERE name = $5",
                           {pg_param(token.token_hash), pg_param(now), pg_param(token.name),
                            pg_param(token.expires_at), pg_param(*token.tenant)})
                     : c.exec(
                           "INSERT INTO admin_tokens(token_hash, tenant_id, created_at, name,"
                           " expires_at) VALUES ($1, NULL, $2, $3, $4)",
                           {pg_param(token.token_hash), pg_param(now), pg_param(token.name),
                            pg_param(token.expires_at)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("not_found", "unknown tenant '" + token.tenant.value_or("") + "'");
        }
        return {};
    });
}

Result<std::optional<AdminToken>> PostgresStore::find_admin_token(std::string_view token_hash) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::optional<AdminToken>> {
        auto r = c.exec(
            "SELECT a.tenant_id IS NULL, t.name, a.expires_at, a.revoked_at FROM admin_tokens a"
            " LEFT JOIN tenants t ON t.id = a.tenant_id WHERE a.token_hash = $1",
            {pg_param(token_hash)});
        if (!r) {
            return r.error();
        }
        if (r->rows() == 0) {
            return std::optional<AdminToken>();
        }
        AdminToken token;
        if (!r->boolean(0, 0)) {
            token.tenant = r->text(0, 1);
        }
        token.expires_at = r->opt_int64(0, 2);
        token.revoked_at = r->opt_int64(0, 3);
        return std::optional<AdminToken>(token);
    });
}

Result<std::vector<AdminTokenInfo>> PostgresStore::list_admin_tokens() {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<AdminTokenInfo>> {
        auto r = c.exec(
            "SELECT substr(a.token_hash, 1, 12), a.name, a.tenant_id IS NULL, t.name,"
            " a.created_at, a.expires_at, a.revoked_at FROM admin_tokens a"
            " LEFT JOIN tenants t ON t.id = a.tenant_id ORDER BY a.created_at, a.token_hash");
        if (!r) {
            return r.error();
        }
        std::vector<AdminTokenInfo> out;
        for (int i = 0; i < r->rows(); ++i) {
            AdminTokenInfo info;
            info.id = r->text(i, 0);
            info.name = r->text(i, 1);
            if (!r->boolean(i, 2)) {
                info.tenant = r->text(i, 3);
            }
            info.created_at = r->int64(i, 4);
            info.expires_at = r->opt_int64(i, 5);
            info.revoked_at = r->opt_int64(i, 6);
            out.push_back(std::move(info));
        }
        return out;
    });
}

Result<void> PostgresStore::revoke_admin_token(std::string_view id, std::int64_t now) {
    if (id.size() != 12 || id.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return make_error("not_found", "no admin token with id '" + std::string(id) +
                                           "' (ids are the 12 hex digits 'admin-token list' "
                                           "shows)");
    }
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r = c.exec(
            "UPDATE admin_tokens SET revoked_at = COALESCE(revoked_at, $1)"
            " WHERE substr(token_hash, 1, 12) = $2",
            {pg_param(now), pg_param(id)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("not_found", "no admin token with id '" + std::string(id) + "'");
        }
        return {};
    });
}

}  // namespace tally::server
