// PostgresStore: opening, tenants and their policy.

#include <ctime>

#include "server/store/postgres/pg_evidence.h"
#include "server/store/postgres/pg_rollups.h"
#include "server/store/postgres/pg_schema.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           std::size_t pool_size) {
    auto pool = PgPool::open(url, pool_size);
    if (!pool) {
        return pool.error();
    }
    if (auto r = pg_migrate(**pool); !r) {
        return r.error();
    }
    std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(*pool)));
    // Evidence partitions ahead: this month and the next two (store_batch makes any other).
    auto month = pg_utc_month(static_cast<std::int64_t>(std::time(nullptr)));
    for (int i = 0; i < 3; ++i, month = pg_next_month(month)) {
        if (auto r = store->ensure_partition(month); !r) {
            return r.error();
        }
    }
    return store;
}

namespace detail {

Result<std::int64_t> pg_tenant_id(PgConnection& c, std::string_view tenant) {
    auto r = c.exec("SELECT id FROM tenants WHERE name = $1", {pg_param(tenant)});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return make_error("not_found", "unknown tenant '" + std::string(tenant) + "'");
    }
    return r->int64(0, 0);
}

}  // namespace detail

Result<void> PostgresStore::add_tenant(std::string_view name, std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r = c.exec(
            "INSERT INTO tenants(name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            {pg_param(name), pg_param(now)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("exists", "tenant '" + std::string(name) + "' already exists");
        }
        return {};
    });
}

Result<void> PostgresStore::set_tenant_status(std::string_view name, std::string_view status) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r = c.exec("UPDATE tenants SET status = $1 WHERE name = $2",
                        {pg_param(status), pg_param(name)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("not_found", "unknown tenant '" + std::string(name) + "'");
        }
        return {};
    });
}

Result<std::vector<Tenant>> PostgresStore::list_tenants() {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<Tenant>> {
        auto r = c.exec("SELECT name, status, created_at FROM tenants ORDER BY name");
        if (!r) {
            return r.error();
        }
        std::vector<Tenant> out;
        for (int i = 0; i < r->rows(); ++i) {
            out.push_back({r->text(i, 0), r->text(i, 1), r->int64(i, 2)});
        }
        return out;
    });
}

Result<std::optional<Tenant>> PostgresStore::find_tenant(std::string_view name) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::optional<Tenant>> {
        auto r = c.exec("SELECT name, status, created_at FROM tenants WHERE name = $1",
                        {pg_param(name)});
        if (!r) {
            return r.error();
        }
        if (r->rows() == 0) {
            return std::optional<Tenant>();
        }
        return std::optional<Tenant>(Tenant{r->text(0, 0), r->text(0, 1), r->int64(0, 2)});
    });
}

namespace detail {

Result<TenantSettings> pg_tenant_settings(PgConnection& c, std::string_view tenant) {
    {
        auto r = c.exec(
            "SELECT name, status, trial_end, inactive_since, time_zone, count_devices_by,"
            " default_package, grace_hours, created_at, id FROM tenants WHERE name = $1",
            {pg_param(tenant)});
        if (!r) {
            return r.error();
        }
        if (r->rows() == 0) {
            return make_error("not_found", "unknown tenant '" + std::string(tenant) + "'");
        }
        TenantSettings t;
        t.name = r->text(0, 0);
        t.status = r->text(0, 1);
        t.trial_end = r->opt_int64(0, 2);
        t.inactive_since = r->opt_int64(0, 3);
        t.time_zone = r->text(0, 4);
        t.count_devices_by = r->text(0, 5);
        t.default_package = r->text(0, 6);
        t.grace_hours = r->int64(0, 7);
        t.created_at = r->int64(0, 8);
        auto spans = c.exec(
            "SELECT since, until FROM tenant_inactive_spans WHERE tenant_id = $1 ORDER BY since",
            {pg_param(r->int64(0, 9))});
        if (!spans) {
            return spans.error();
        }
        for (int i = 0; i < spans->rows(); ++i) {
            t.inactive_spans.push_back({spans->int64(i, 0), spans->int64(i, 1)});
        }
        return t;
    }
}

}  // namespace detail

Result<TenantSettings> PostgresStore::tenant_settings(std::string_view tenant) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<TenantSettings> {
        return detail::pg_tenant_settings(c, tenant);
    });
}

namespace {

std::vector<std::pair<std::int64_t, std::int64_t>> spans_of(const TenantSettings& x) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& span : x.inactive_spans) {
        out.emplace_back(span.since, span.until);
    }
    return out;
}

//! Whether the rollups, cut by zone, grace and billing cuts, must be recomputed.
bool cuts_changed(const TenantSettings& before, const TenantSettings& t) {
    return before.time_zone != t.time_zone || before.grace_hours != t.grace_hours ||
           before.trial_end != t.trial_end || before.inactive_since != t.inactive_since ||
           spans_of(before) != spans_of(t);
}

}  // namespace

// The rollups' months, days and late columns follow the zone and the grace, the billing
// buckets the trial end and the inactive spans: a change of any recomputes the tenant's
// rollups from its evidence in the same transaction, as the SQLite store does.
Result<void> PostgresStore::update_tenant_settings(const TenantSettings& t) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto before = detail::pg_tenant_settings(c, t.name);
        if (!before) {
            return before.error();
        }
        auto r = c.exec(
            "UPDATE tenants SET status = $1, trial_end = $2, inactive_since = $3,"
            " time_zone = $4, count_devices_by = $5, default_package = $6, grace_hours = $7"
            " WHERE name = $8 RETURNING id",
            {pg_param(t.status), pg_param(t.trial_end), pg_param(t.inactive_since),
             pg_param(t.time_zone), pg_param(t.count_devices_by), pg_param(t.default_package),
             pg_param(t.grace_hours), pg_param(t.name)});
        if (!r) {
            return r.error();
        }
        if (r->rows() == 0) {
            return make_error("not_found", "unknown tenant '" + t.name + "'");
        }
        const auto tid = pg_param(r->int64(0, 0));
        if (auto clear = c.exec("DELETE FROM tenant_inactive_spans WHERE tenant_id = $1", {tid});
            !clear) {
            return clear.error();
        }
        for (const auto& span : t.inactive_spans) {
            auto add = c.exec(
                "INSERT INTO tenant_inactive_spans(tenant_id, since, until) VALUES ($1, $2, $3)"
                " ON CONFLICT (tenant_id, since) DO UPDATE SET until = excluded.until",
                {tid, pg_param(span.since), pg_param(span.until)});
            if (!add) {
                return add.error();
            }
        }
        if (cuts_changed(*before, t)) {
            return pg_rebuild_rollups(c, zones_, r->int64(0, 0));
        }
        return {};
    });
}

}  // namespace tally::server
