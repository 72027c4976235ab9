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

Result<void> SqliteStore::add_admin_token(std::string_view token_hash,
                                          const std::optional<std::string>& tenant,
                                          std::int64_t now) {
    std::lock_guard lock(mutex_);
    if (!tenant) {
        auto s = db_->prepare(
            "INSERT INTO admin_tokens(token_hash, tenant_id, created_at) VALUES (?, NULL, ?)");
        if (!s) {
            return s.error();
        }
        return s->bind(1, token_hash).bind(2, now).run();
    }
    // An unknown tenant must not silently yield a global (NULL tenant) token.
    auto s = db_->prepare(
        "INSERT INTO admin_tokens(token_hash, tenant_id, created_at) "
        "SELECT ?, id, ? FROM tenants WHERE name = ?");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, token_hash).bind(2, now).bind(3, *tenant).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "unknown tenant '" + *tenant + "'");
    }
    return {};
}

Result<std::optional<AdminToken>> SqliteStore::find_admin_token(std::string_view token_hash) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(
        "SELECT a.tenant_id IS NULL, t.name FROM admin_tokens a "
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
    return std::optional<AdminToken>(token);
}

}  // namespace tally::server
