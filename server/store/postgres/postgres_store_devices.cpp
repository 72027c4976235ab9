// PostgresStore: device lookup, listing, retirement, the admin's billing corrections (DESIGN.md
// §5 rule 2) and a device's delivery evidence.

#include <algorithm>
#include <utility>

#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

Result<std::int64_t> count(PgConnection& c, const std::string& sql, std::string_view device_id) {
    auto r = c.exec(sql, {pg_param(device_id)});
    if (!r) {
        return r.error();
    }
    return r->rows() > 0 ? r->int64(0, 0) : 0;
}

//! Gap ranges may overlap (re-declared after a spool repair): the union is counted, and apart
//! the part with reason server_lost (the server lost what it had acknowledged).
Result<void> count_gaps(PgConnection& c, std::string_view device_id, DeviceEvidence& e) {
    auto gaps = c.exec(
        "SELECT from_seq, to_seq, reason = 'server_lost' FROM gaps WHERE device_id = $1"
        " ORDER BY from_seq, to_seq",
        {pg_param(device_id)});
    if (!gaps) {
        return gaps.error();
    }
    std::int64_t covered_to = 0;
    std::int64_t lost_covered_to = 0;
    for (int i = 0; i < gaps->rows(); ++i) {
        const auto from = std::max(gaps->int64(i, 0), covered_to + 1);
        const auto to = gaps->int64(i, 1);
        if (to >= from) {
            e.gap_seqs += static_cast<std::uint64_t>(to - from + 1);
            covered_to = to;
        }
        const auto lost_from = std::max(gaps->int64(i, 0), lost_covered_to + 1);
        if (gaps->boolean(i, 2) && to >= lost_from) {
            e.lost_by_server += static_cast<std::uint64_t>(to - lost_from + 1);
            lost_covered_to = to;
        }
    }
    return {};
}

}  // namespace

namespace detail {

Result<DeviceEvidence> pg_device_evidence(PgConnection& c, std::string_view device_id) {
    DeviceEvidence e;
    if (auto r = count_gaps(c, device_id, e); !r) {
        return r.error();
    }
    const std::pair<const char*, std::uint64_t*> counts[] = {
        {"SELECT count(DISTINCT seq) FROM forks WHERE device_id = $1", &e.forks},
        {"SELECT count(*) FROM chain_breaks WHERE device_id = $1", &e.chain_breaks},
        {"SELECT count(*) FROM held_heartbeats WHERE device_id = $1", &e.held},
    };
    for (const auto& [sql, out] : counts) {
        auto n = count(c, sql, device_id);
        if (!n) {
            return n.error();
        }
        *out = static_cast<std::uint64_t>(*n);
    }
    auto revoked = count(c,
                         "SELECT count(*) FROM devices WHERE id = $1 AND retired_at IS NOT NULL"
                         " AND retire_reason = 'revoked'",
                         device_id);
    if (!revoked) {
        return revoked.error();
    }
    e.revoked = *revoked > 0;
    auto tofu = count(c,
                      "SELECT count(*) FROM device_enrollments WHERE device_id = $1"
                      " AND method = 'import_tofu'",
                      device_id);
    if (!tofu) {
        return tofu.error();
    }
    e.trust_on_first_use = *tofu > 0;
    return e;
}

}  // namespace detail

Result<std::optional<Device>> PostgresStore::find_device(std::string_view device_id) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::optional<Device>> {
        return detail::pg_device_where(c, "d.id = $1", pg_param(device_id));
    });
}

Result<std::vector<Device>> PostgresStore::list_devices(std::string_view tenant) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<Device>> {
        auto r = c.exec(std::string("SELECT ") + detail::kPgDeviceColumns +
                            " FROM devices d JOIN tenants t ON t.id = d.tenant_id"
                            " WHERE t.name = $1 ORDER BY d.paired_at, d.id",
                        {pg_param(tenant)});
        if (!r) {
            return r.error();
        }
        std::vector<Device> out;
        out.reserve(static_cast<std::size_t>(r->rows()));
        for (int i = 0; i < r->rows(); ++i) {
            out.push_back(detail::pg_device_from_row(*r, i));
        }
        return out;
    });
}

Result<void> PostgresStore::retire_device(std::string_view device_id, std::string_view reason,
                                          std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r = c.exec(
            "UPDATE devices SET retired_at = $1, retire_reason = $2"
            " WHERE id = $3 AND retired_at IS NULL",
            {pg_param(now), pg_param(reason), pg_param(device_id)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return {};
        }
        // A stored heartbeat may start at or after the retirement (dated in the past, or an
        // agent clock ahead): its buckets are cut there, so the tenant's are recomputed. A
        // bucket ending after `now` is the only place such a heartbeat can be.
        auto later = c.exec(
            "SELECT d.tenant_id FROM devices d WHERE d.id = $1 AND EXISTS (SELECT 1 FROM"
            " rollup_bucket b WHERE b.device_id = $1 AND b.last_end > $2)",
            {pg_param(device_id), pg_param(now)});
        if (!later) {
            return later.error();
        }
        if (later->rows() > 0) {
            return pg_rebuild_rollups(c, zones_, later->int64(0, 0));
        }
        return {};
    });
}

Result<DeviceEvidence> PostgresStore::device_evidence(std::string_view device_id) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<DeviceEvidence> {
        return detail::pg_device_evidence(c, device_id);
    });
}

Result<void> PostgresStore::assign_device_user(std::string_view device_id,
                                               const std::optional<std::string>& user_key,
                                               std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r = c.exec(
            "INSERT INTO device_assignments(device_id, user_key, since)"
            " SELECT id, $2, $3::bigint FROM devices WHERE id = $1",
            {pg_param(device_id), pg_param(user_key), pg_param(now)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("not_found", "unknown device '" + std::string(device_id) + "'");
        }
        return {};
    });
}

Result<void> PostgresStore::set_device_type(std::string_view device_id, std::string_view type,
                                            std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        // Locked: two servers changing the type at once log each change from the right old type.
        auto current = c.exec("SELECT device_type FROM devices WHERE id = $1 FOR UPDATE",
                              {pg_param(device_id)});
        if (!current) {
            return current.error();
        }
        if (current->rows() == 0) {
            return make_error("not_found", "unknown device '" + std::string(device_id) + "'");
        }
        const std::string old_type = current->text(0, 0);
        if (old_type == type) {
            return {};  // no change, nothing to date
        }
        if (auto r = c.exec("UPDATE devices SET device_type = $1 WHERE id = $2",
                            {pg_param(type), pg_param(device_id)});
            !r) {
            return r.error();
        }
        auto log = c.exec(
            "INSERT INTO device_type_changes(device_id, old_type, new_type, changed_at)"
            " VALUES ($1, $2, $3, $4)",
            {pg_param(device_id), pg_param(old_type), pg_param(type), pg_param(now)});
        if (!log) {
            return log.error();
        }
        return {};
    });
}

Result<std::vector<AssignmentFact>> PostgresStore::device_assignments(std::string_view tenant) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<AssignmentFact>> {
        auto r = c.exec(
            "SELECT DISTINCT ON (a.device_id) a.device_id, a.user_key, a.since"
            " FROM device_assignments a JOIN devices d ON d.id = a.device_id"
            " JOIN tenants t ON t.id = d.tenant_id WHERE t.name = $1"
            " ORDER BY a.device_id, a.id DESC",
            {pg_param(tenant)});
        if (!r) {
            return r.error();
        }
        std::vector<AssignmentFact> out;
        for (int i = 0; i < r->rows(); ++i) {
            if (!r->is_null(i, 1)) {  // the latest assignment cleared it
                out.push_back({r->text(i, 0), r->text(i, 1), r->int64(i, 2)});
            }
        }
        return out;
    });
}

}  // namespace tally::server
