// SqliteStore: the billing data model (tenant policy, groups, subscriptions, assignments,
// merges) and the facts the billing engine reads (queries in billing_queries.cpp). Purge is in
// sqlite_store_purge.cpp.

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/store/billing_queries.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
Result<std::int64_t> SqliteStore::tenant_id_locked(std::string_view tenant) {
    return detail::tenant_id(*db_, tenant);
}

Result<std::int64_t> SqliteStore::group_id_locked(std::int64_t tenant_id, std::string_view group) {
    auto s = db_->prepare("SELECT id FROM user_groups WHERE tenant_id = ? AND name = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, tenant_id).bind(2, group).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("not_found", "unknown group '" + std::string(group) + "'");
    }
    return s->int64(0);
}

Result<TenantSettings> SqliteStore::tenant_settings(std::string_view tenant) {
    std::lock_guard lock(mutex_);
    return detail::read_tenant_settings(*db_, tenant);
}

Result<void> SqliteStore::update_tenant_settings(const TenantSettings& t) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    const auto before = detail::read_tenant_settings(*db_, t.name);
    if (!before) {
        return before.error();
    }
    auto s = db_->prepare(
        "UPDATE tenants SET status = ?, trial_end = ?, inactive_since = ?, time_zone = ?,"
        " count_devices_by = ?, default_package = ?, grace_hours = ? WHERE name = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, t.status).bind(2, t.trial_end).bind(3, t.inactive_since).bind(4, t.time_zone);
    s->bind(5, t.count_devices_by).bind(6, t.default_package).bind(7, t.grace_hours);
    if (auto r = s->bind(8, t.name).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "unknown tenant '" + t.name + "'");
    }
    auto tid = tenant_id_locked(t.name);
    if (!tid) {
        return tid.error();
    }
    // The past inactive spans as the settings hold them (billing::change_tenant_status adds one).
    auto clear = db_->prepare("DELETE FROM tenant_inactive_spans WHERE tenant_id = ?");
    if (!clear) {
        return clear.error();
    }
    if (auto r = clear->bind(1, *tid).run(); !r) {
        return r;
    }
    for (const auto& span : t.inactive_spans) {
        auto add = db_->prepare(
            "INSERT OR REPLACE INTO tenant_inactive_spans(tenant_id, since, until) VALUES (?,?,?)");
        if (!add) {
            return add.error();
        }
        if (auto r = add->bind(1, *tid).bind(2, span.since).bind(3, span.until).run(); !r) {
            return r;
        }
    }
    // The rollups' months, days and late columns follow the zone and the grace.
    // The billing buckets are cut at the trial end and the inactive spans' edges.
    const auto spans_of = [](const TenantSettings& x) {
        std::vector<std::pair<std::int64_t, std::int64_t>> out;
        for (const auto& span : x.inactive_spans) {
            out.emplace_back(span.since, span.until);
        }
        return out;
    };
    if (before->time_zone != t.time_zone || before->grace_hours != t.grace_hours ||
        before->trial_end != t.trial_end || before->inactive_since != t.inactive_since ||
        spans_of(*before) != spans_of(t)) {
        if (auto r = detail::rebuild_rollups(*db_, *tid); !r) {
            return r;
        }
    }
    return txn->commit();
}

Result<void> SqliteStore::add_group(std::string_view tenant, std::string_view group,
                                    std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto tid = tenant_id_locked(tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = db_->prepare(
        "INSERT INTO user_groups(tenant_id, name, created_at) VALUES (?,?,?)"
        " ON CONFLICT DO NOTHING");
    if (!s) {
        return s.error();
    }
    if (auto r = s->bind(1, *tid).bind(2, group).bind(3, now).run(); !r) {
        return r;
    }
    if (db_->changes() == 0) {
        return make_error("exists", "group '" + std::string(group) + "' already exists");
    }
    return {};
}

Result<std::vector<GroupInfo>> SqliteStore::list_groups(std::string_view tenant) {
    std::lock_guard lock(mutex_);
    auto tid = tenant_id_locked(tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = db_->prepare(
        "SELECT g.name, (SELECT package FROM subscriptions s WHERE s.group_id = g.id"
        "   ORDER BY attached_at DESC, id DESC LIMIT 1),"
        " (SELECT group_concat(user_key, char(10)) FROM (SELECT user_key FROM group_members m"
        "   WHERE m.group_id = g.id AND m.until IS NULL ORDER BY user_key))"
        " FROM user_groups g WHERE g.tenant_id = ? ORDER BY g.name");
    if (!s) {
        return s.error();
    }
    std::vector<GroupInfo> out;
    auto r = s->bind(1, *tid).each_row([&](const SqliteStatement& row) {
        GroupInfo g;
        g.name = row.text(0);
        if (!row.is_null(1)) {
            g.package = row.text(1);
        }
        const auto members = row.text(2);
        std::size_t at = 0;
        while (at < members.size()) {
            const auto nl = members.find('\n', at);
            g.members.push_back(members.substr(at, nl == std::string::npos ? nl : nl - at));
            at = nl == std::string::npos ? members.size() : nl + 1;
        }
        out.push_back(std::move(g));
    });
    if (!r) {
        return r.error();
    }
    return out;
}

Result<void> SqliteStore::move_user_to_group(std::string_view tenant, std::string_view group,
                                             std::string_view user_key, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto tid = tenant_id_locked(tenant);
    if (!tid) {
        return tid.error();
    }
    auto gid = group_id_locked(*tid, group);
    if (!gid) {
        return gid.error();
    }
    auto end = db_->prepare(
        "UPDATE group_members SET until = ? WHERE tenant_id = ? AND user_key = ? AND until IS "
        "NULL");
    if (!end) {
        return end.error();
    }
    if (auto r = end->bind(1, now).bind(2, *tid).bind(3, user_key).run(); !r) {
        return r;
    }
    auto add = db_->prepare(
        "INSERT INTO group_members(tenant_id, group_id, user_key, since) VALUES (?,?,?,?)");
    if (!add) {
        return add.error();
    }
    if (auto r = add->bind(1, *tid).bind(2, *gid).bind(3, user_key).bind(4, now).run(); !r) {
        return r;
    }
    return txn->commit();
}

Result<void> SqliteStore::attach_subscription(std::string_view tenant, std::string_view group,
                                              std::string_view package, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto tid = tenant_id_locked(tenant);
    if (!tid) {
        return tid.error();
    }
    auto gid = group_id_locked(*tid, group);
    if (!gid) {
        return gid.error();
    }
    auto s =
        db_->prepare("INSERT INTO subscriptions(group_id, package, attached_at) VALUES (?,?,?)");
    if (!s) {
        return s.error();
    }
    return s->bind(1, *gid).bind(2, package).bind(3, now).run();
}

Result<std::vector<SubscriptionInfo>> SqliteStore::list_subscriptions(std::string_view tenant) {
    std::lock_guard lock(mutex_);
    auto tid = tenant_id_locked(tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = db_->prepare(
        "SELECT g.name, s.package, s.attached_at FROM subscriptions s"
        " JOIN user_groups g ON g.id = s.group_id WHERE g.tenant_id = ?"
        " ORDER BY s.attached_at, s.id");
    if (!s) {
        return s.error();
    }
    std::vector<SubscriptionInfo> out;
    auto r = s->bind(1, *tid).each_row([&](const SqliteStatement& row) {
        out.push_back({row.text(0), row.text(1), row.int64(2)});
    });
    if (!r) {
        return r.error();
    }
    return out;
}

Result<void> SqliteStore::assign_device_user(std::string_view device_id,
                                             const std::optional<std::string>& user_key,
                                             std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto found = find_device_locked(device_id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return make_error("not_found", "unknown device '" + std::string(device_id) + "'");
    }
    auto s =
        db_->prepare("INSERT INTO device_assignments(device_id, user_key, since) VALUES (?,?,?)");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id);
    if (user_key) {
        s->bind(2, *user_key);
    } else {
        s->bind_null(2);
    }
    return s->bind(3, now).run();
}

Result<void> SqliteStore::set_device_type(std::string_view device_id, std::string_view type,
                                          std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto current = db_->prepare("SELECT device_type FROM devices WHERE id = ?");
    if (!current) {
        return current.error();
    }
    auto row = current->bind(1, device_id).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("not_found", "unknown device '" + std::string(device_id) + "'");
    }
    const std::string old_type = current->text(0);
    if (old_type == type) {
        return {};  // no change, nothing to date
    }
    auto upd = db_->prepare("UPDATE devices SET device_type = ? WHERE id = ?");
    if (!upd) {
        return upd.error();
    }
    if (auto r = upd->bind(1, type).bind(2, device_id).run(); !r) {
        return r;
    }
    auto log = db_->prepare(
        "INSERT INTO device_type_changes(device_id, old_type, new_type, changed_at)"
        " VALUES (?,?,?,?)");
    if (!log) {
        return log.error();
    }
    if (auto r = log->bind(1, device_id).bind(2, old_type).bind(3, type).bind(4, now).run(); !r) {
        return r;
    }
    return txn->commit();
}

Result<std::vector<AssignmentFact>> SqliteStore::device_assignments(std::string_view tenant) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(
        "SELECT a.device_id, a.user_key, a.since FROM device_assignments a"
        " JOIN devices d ON d.id = a.device_id JOIN tenants t ON t.id = d.tenant_id"
        " WHERE t.name = ? AND a.id = (SELECT max(id) FROM device_assignments b"
        "   WHERE b.device_id = a.device_id) AND a.user_key IS NOT NULL ORDER BY 1");
    if (!s) {
        return s.error();
    }
    std::vector<AssignmentFact> out;
    auto r = s->bind(1, tenant).each_row([&](const SqliteStatement& row) {
        out.push_back({row.text(0), row.text(1), row.int64(2)});
    });
    if (!r) {
        return r.error();
    }
    return out;
}

Result<void> SqliteStore::merge_users(std::string_view tenant, std::string_view from_key,
                                      std::string_view into_key, std::int64_t now) {
    if (from_key == into_key) {
        return make_error("bad_request", "a user cannot be merged into itself");
    }
    std::lock_guard lock(mutex_);
    auto tid = tenant_id_locked(tenant);
    if (!tid) {
        return tid.error();
    }
    // A cycle would leave no canonical user: refuse merging into something merged into us.
    auto cycle = db_->prepare(
        "WITH RECURSIVE chain(k) AS (SELECT ?2 UNION SELECT a.user_key FROM user_aliases a"
        " JOIN chain ON a.alias_key = chain.k WHERE a.tenant_id = ?1)"
        " SELECT 1 FROM chain WHERE k = ?3");
    if (!cycle) {
        return cycle.error();
    }
    auto row = cycle->bind(1, *tid).bind(2, into_key).bind(3, from_key).step();
    if (!row) {
        return row.error();
    }
    if (*row) {
        return make_error("bad_request", "'" + std::string(into_key) +
                                             "' is already merged into '" + std::string(from_key) +
                                             "'");
    }
    auto s = db_->prepare(
        "INSERT INTO user_aliases(tenant_id, alias_key, user_key, merged_at) VALUES (?,?,?,?)"
        " ON CONFLICT(tenant_id, alias_key) DO UPDATE SET user_key = excluded.user_key,"
        " merged_at = excluded.merged_at");
    if (!s) {
        return s.error();
    }
    return s->bind(1, *tid).bind(2, from_key).bind(3, into_key).bind(4, now).run();
}

Result<BillingFacts> SqliteStore::billing_facts(std::string_view tenant, std::int64_t from,
                                                std::int64_t to) {
    std::lock_guard lock(mutex_);
    auto txn = detail::ReadTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    return detail::read_billing_facts(*db_, tenant, from, to);
}

namespace {

//! Opens the report's two helper connections on `path` and sets the page cache of `main` and
//! of both helpers.
Result<void> open_report_helpers(const std::string& path, SqliteDb& main,
                                 std::unique_ptr<SqliteDb> (&helpers)[2]) {
    for (auto& helper : helpers) {
        auto opened = SqliteDb::open(path);
        if (!opened) {
            return opened.error();
        }
        helper = std::move(*opened);
    }
    // The report reads each heartbeat page once: a small page cache per connection (the index
    // pages it returns to stay in it), not the store's 32 MB each.
    for (auto* conn : {&main, helpers[0].get(), helpers[1].get()}) {
        if (auto r = conn->exec("PRAGMA cache_size=-1024"); !r) {
            return r.error();
        }
    }
    return {};
}

}  // namespace

Result<ReportFacts> SqliteStore::report_facts(std::string_view tenant, std::int64_t from,
                                              std::int64_t to) {
    return read_report_facts(tenant, from, to, nullptr);
}

Result<ReportFacts> SqliteStore::month_report_facts(std::string_view tenant, const MonthWindow& w) {
    return read_report_facts(tenant, w.read_from, w.to, &w);
}

Result<ReportFacts> SqliteStore::read_report_facts(std::string_view tenant, std::int64_t from,
                                                   std::int64_t to, const MonthWindow* month) {
    // A connection of its own: the seconds a large report reads hold neither the store's
    // mutex nor its connections (ingest goes on), and WAL gives the report one snapshot.
    std::string path;
    {
        std::lock_guard lock(mutex_);
        const char* name = sqlite3_db_filename(db_->handle(), "main");
        path = name != nullptr ? name : "";
    }
    if (path.empty()) {
        return make_error("db", "the report needs a database file");
    }
    auto db = SqliteDb::open(path);
    if (!db) {
        return db.error();
    }
    // A second connection reads half of the heartbeats on a thread of its own (2 cores), a
    // third the devices' evidence on another. All must read one snapshot: one more connection
    // takes the write lock (BEGIN IMMEDIATE) while the read transactions start, so no commit
    // can land between their snapshots; it lets go at once (ingest waits for it a few
    // milliseconds at most). Without the lock (busy past the timeout) the report reads on
    // one connection.
    std::unique_ptr<SqliteDb> helpers[2];
    if (auto r = open_report_helpers(path, **db, helpers); !r) {
        return r.error();
    }
    auto writer_lock = SqliteDb::open(path);
    if (!writer_lock) {
        return writer_lock.error();
    }
    const bool locked = (*writer_lock)->exec("BEGIN IMMEDIATE").ok();
    auto txn = detail::ReadTransaction::begin(**db);
    if (!txn) {
        return txn.error();
    }
    std::vector<detail::ReadTransaction> helper_txns;
    if (locked) {
        for (auto& helper : helpers) {
            auto t = detail::ReadTransaction::begin(*helper);
            if (!t) {
                return t.error();
            }
            helper_txns.push_back(std::move(*t));
        }
        if (auto r = (*writer_lock)->exec("ROLLBACK"); !r) {
            return r.error();
        }
    }
    writer_lock->reset();
    using Evidence = std::unordered_map<std::string, DeviceEvidence>;
    std::optional<Result<Evidence>> evidence;
    std::thread evidence_reader;
    if (locked) {
        evidence_reader =
            std::thread([&] { evidence = detail::read_tenant_evidence(*helpers[1], tenant, {}); });
    }
    std::vector<Device> whole;
    const bool written_only = month != nullptr && month->written_devices_only;
    auto facts = detail::read_billing_facts(**db, tenant, from, to, detail::Signals::kWhenAssigned,
                                            locked ? helpers[0].get() : nullptr, month,
                                            written_only ? nullptr : &whole);
    if (evidence_reader.joinable()) {
        evidence_reader.join();
    }
    if (!facts) {
        return facts.error();
    }
    if (!evidence) {
        evidence = detail::read_tenant_evidence(**db, tenant, facts->devices);
    } else if (*evidence) {
        for (const auto& d : facts->devices) {
            (*evidence)->try_emplace(d.id);  // every device has an entry, evidence or not
        }
    }
    if (!*evidence) {
        return evidence->error();
    }
    return ReportFacts{std::move(*facts), std::move(whole), std::move(**evidence)};
}

}  // namespace tally::server
