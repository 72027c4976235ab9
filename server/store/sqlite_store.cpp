// SqliteStore: opening, tenants, pairing codes and admin tokens.

#include "server/store/sqlite_store.h"

#include "server/store/schema.h"

namespace tally::server {

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
    auto db = SqliteDb::open(path);
    if (!db) {
        return db.error();
    }
    if (auto r = migrate(**db); !r) {
        return r.error();
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db), path));
    if (auto reader = store->readers_.acquire(); !reader) {
        return reader.error();
    }
    auto checkpointer = WalCheckpointer::start(path, *store->db_);
    if (!checkpointer) {
        return checkpointer.error();
    }
    store->checkpointer_ = std::move(*checkpointer);
    return store;
}

Result<void> SqliteStore::add_tenant(std::string_view name, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(
        "INSERT INTO tenants(name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, name).bind(2, now).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("exists", "tenant '" + std::string(name) + "' already exists");
    }
    return {};
}

Result<void> SqliteStore::set_tenant_status(std::string_view name, std::string_view status) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare("UPDATE tenants SET status = ? WHERE name = ?");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, status).bind(2, name).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "unknown tenant '" + std::string(name) + "'");
    }
    return {};
}

Result<std::vector<Tenant>> SqliteStore::list_tenants() {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare("SELECT name, status, created_at FROM tenants ORDER BY name");
    if (!s) {
        return s.error();
    }
    std::vector<Tenant> out;
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        out.push_back({s->text(0), s->text(1), s->int64(2)});
    }
}

Result<std::optional<Tenant>> SqliteStore::find_tenant(std::string_view name) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    auto s = reader->db().prepare("SELECT name, status, created_at FROM tenants WHERE name = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, name);
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<Tenant>();
    }
    return std::optional<Tenant>(Tenant{s->text(0), s->text(1), s->int64(2)});
}

Result<void> SqliteStore::add_pairing_code(const NewPairingCode& code, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(
        "INSERT INTO pairing_codes(tenant_id, code_hash, uses_left, expires_at, created_at) "
        "SELECT id, ?, ?, ?, ? FROM tenants WHERE name = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, code.code_hash).bind(2, code.uses).bind(3, code.expires_at).bind(4, now);
    if (auto r = s->bind(5, code.tenant).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "unknown tenant '" + code.tenant + "'");
    }
    return {};
}

namespace {

std::optional<std::int64_t> opt_int64(const SqliteStatement& s, int column) {
    return s.is_null(column) ? std::nullopt : std::optional<std::int64_t>(s.int64(column));
}

}  // namespace

Result<void> SqliteStore::create_admin_token(const NewAdminToken& token, std::int64_t now) {
    std::lock_guard lock(mutex_);
    // An unknown tenant must not silently yield a global (NULL tenant) token.
    auto s = db_->prepare(token.tenant
                              ? "INSERT INTO admin_tokens(token_hash, tenant_id, created_at, name, "
                                "expires_at) SELECT ?, id, ?, ?, ? FROM tenants WHERE name = ?"
                              : "INSERT INTO admin_tokens(token_hash, tenant_id, created_at, name, "
                                "expires_at) VALUES (?, NULL, ?, ?, ?)");
    if (!s) {
        return s.error();
    }
    s->bind(1, token.token_hash).bind(2, now).bind(3, token.name).bind(4, token.expires_at);
    if (token.tenant) {
        s->bind(5, *token.tenant);
    }
    if (auto r = s->run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "unknown tenant '" + token.tenant.value_or("") + "'");
    }
    return {};
}

Result<std::optional<AdminToken>> SqliteStore::find_admin_token(std::string_view token_hash) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(
        "SELECT a.tenant_id IS NULL, t.name, a.expires_at, a.revoked_at FROM admin_tokens a "
        "LEFT JOIN tenants t ON t.id = a.tenant_id WHERE a.token_hash = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, token_hash);
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<AdminToken>();
    }
    AdminToken token;
    if (s->int64(0) == 0) {
        token.tenant = s->text(1);
    }
    token.expires_at = opt_int64(*s, 2);
    token.revoked_at = opt_int64(*s, 3);
    return std::optional<AdminToken>(token);
}

Result<std::vector<AdminTokenInfo>> SqliteStore::list_admin_tokens() {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(
        "SELECT substr(a.token_hash, 1, 12), a.name, a.tenant_id IS NULL, t.name, a.created_at, "
        "a.expires_at, a.revoked_at FROM admin_tokens a LEFT JOIN tenants t ON t.id = "
        "a.tenant_id ORDER BY a.created_at, a.token_hash");
    if (!s) {
        return s.error();
    }
    std::vector<AdminTokenInfo> out;
    auto r = s->each_row([&](const SqliteStatement& row) {
        AdminTokenInfo info;
        info.id = row.text(0);
        info.name = row.text(1);
        if (row.int64(2) == 0) {
            info.tenant = row.text(3);
        }
        info.created_at = row.int64(4);
        info.expires_at = opt_int64(row, 5);
        info.revoked_at = opt_int64(row, 6);
        out.push_back(std::move(info));
    });
    if (!r) {
        return r.error();
    }
    return out;
}

Result<void> SqliteStore::revoke_admin_token(std::string_view id, std::int64_t now) {
    std::lock_guard lock(mutex_);
    if (id.size() != 12 || id.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return make_error("not_found", "no admin token with id '" + std::string(id) +
                                           "' (ids are the 12 hex digits 'admin-token list' "
                                           "shows)");
    }
    auto s = db_->prepare(
        "UPDATE admin_tokens SET revoked_at = COALESCE(revoked_at, ?) "
        "WHERE substr(token_hash, 1, 12) = ?");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, now).bind(2, id).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "no admin token with id '" + std::string(id) + "'");
    }
    return {};
}

}  // namespace tally::server
