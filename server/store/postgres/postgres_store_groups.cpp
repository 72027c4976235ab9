// PostgresStore: user groups, subscriptions and principal merges (DESIGN.md §5 rule 6).

#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

Result<std::int64_t> group_id(PgConnection& c, std::int64_t tenant_id, std::string_view group) {
    auto r = c.exec("SELECT id FROM user_groups WHERE tenant_id = $1 AND name = $2",
                    {pg_param(tenant_id), pg_param(group)});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return make_error("not_found", "unknown group '" + std::string(group) + "'");
    }
    return r->int64(0, 0);
}

}  // namespace

Result<void> PostgresStore::add_group(std::string_view tenant, std::string_view group,
                                      std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto r = c.exec(
            "INSERT INTO user_groups(tenant_id, name, created_at) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            {pg_param(*tid), pg_param(group), pg_param(now)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("exists", "group '" + std::string(group) + "' already exists");
        }
        return {};
    });
}

Result<std::vector<GroupInfo>> PostgresStore::list_groups(std::string_view tenant) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<std::vector<GroupInfo>> {
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto r = c.exec(
            "SELECT g.name, (SELECT package FROM subscriptions s WHERE s.group_id = g.id"
            "   ORDER BY attached_at DESC, id DESC LIMIT 1),"
            " m.user_key FROM user_groups g LEFT JOIN group_members m"
            "   ON m.group_id = g.id AND m.until IS NULL"
            " WHERE g.tenant_id = $1 ORDER BY g.name, m.user_key",
            {pg_param(*tid)});
        if (!r) {
            return r.error();
        }
        std::vector<GroupInfo> out;
        for (int i = 0; i < r->rows(); ++i) {
            if (out.empty() || out.back().name != r->text(i, 0)) {
                GroupInfo g;
                g.name = r->text(i, 0);
                if (!r->is_null(i, 1)) {
                    g.package = r->text(i, 1);
                }
                out.push_back(std::move(g));
            }
            if (!r->is_null(i, 2)) {
                out.back().members.push_back(r->text(i, 2));
            }
        }
        return out;
    });
}

Result<void> PostgresStore::move_user_to_group(std::string_view tenant, std::string_view group,
                                               std::string_view user_key, std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto gid = group_id(c, *tid, group);
        if (!gid) {
            return gid.error();
        }
        auto end = c.exec(
            "UPDATE group_members SET until = $1 WHERE tenant_id = $2 AND user_key = $3"
            " AND until IS NULL",
            {pg_param(now), pg_param(*tid), pg_param(user_key)});
        if (!end) {
            return end.error();
        }
        auto add = c.exec(
            "INSERT INTO group_members(tenant_id, group_id, user_key, since)"
            " VALUES ($1, $2, $3, $4)",
            {pg_param(*tid), pg_param(*gid), pg_param(user_key), pg_param(now)});
        if (!add) {
            return add.error();
        }
        return {};
    });
}

Result<void> PostgresStore::attach_subscription(std::string_view tenant, std::string_view group,
                                                std::string_view package, std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto gid = group_id(c, *tid, group);
        if (!gid) {
            return gid.error();
        }
        auto r =
            c.exec("INSERT INTO subscriptions(group_id, package, attached_at) VALUES ($1, $2, $3)",
                   {pg_param(*gid), pg_param(package), pg_param(now)});
        if (!r) {
            return r.error();
        }
        return {};
    });
}

Result<std::vector<SubscriptionInfo>> PostgresStore::list_subscriptions(std::string_view tenant) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<std::vector<SubscriptionInfo>> {
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto r = c.exec(
            "SELECT g.name, s.package, s.attached_at FROM subscriptions s"
            " JOIN user_groups g ON g.id = s.group_id WHERE g.tenant_id = $1"
            " ORDER BY s.attached_at, s.id",
            {pg_param(*tid)});
        if (!r) {
            return r.error();
        }
        std::vector<SubscriptionInfo> out;
        for (int i = 0; i < r->rows(); ++i) {
            out.push_back({r->text(i, 0), r->text(i, 1), r->int64(i, 2)});
        }
        return out;
    });
}

Result<void> PostgresStore::merge_users(std::string_view tenant, std::string_view from_key,
                                        std::string_view into_key, std::int64_t now) {
    if (from_key == into_key) {
        return make_error("bad_request", "a user cannot be merged into itself");
    }
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        // Two merges racing on one tenant could each miss the other's cycle: serialise them.
        if (auto lock = c.exec("SELECT id FROM tenants WHERE id = $1 FOR UPDATE", {pg_param(*tid)});
            !lock) {
            return lock.error();
        }
        // A cycle would leave no canonical user: refuse merging into something merged into us.
        auto cycle = c.exec(
            "WITH RECURSIVE chain(k) AS (SELECT $2::text UNION SELECT a.user_key"
            " FROM user_aliases a JOIN chain ON a.alias_key = chain.k WHERE a.tenant_id = $1)"
            " SELECT 1 FROM chain WHERE k = $3",
            {pg_param(*tid), pg_param(into_key), pg_param(from_key)});
        if (!cycle) {
            return cycle.error();
        }
        if (cycle->rows() > 0) {
            return make_error("bad_request", "'" + std::string(into_key) +
                                                 "' is already merged into '" +
                                                 std::string(from_key) + "'");
        }
        auto r = c.exec(
            "INSERT INTO user_aliases(tenant_id, alias_key, user_key, merged_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, alias_key) DO UPDATE"
            " SET user_key = excluded.user_key, merged_at = excluded.merged_at",
            {pg_param(*tid), pg_param(from_key), pg_param(into_key), pg_param(now)});
        if (!r) {
            return r.error();
        }
        return {};
    });
}

}  // namespace tally::server
