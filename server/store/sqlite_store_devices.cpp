// SqliteStore: pairing (code redemption + device creation in one transaction), device lookup,
// listing and retirement.

#include <string>

#include "server/domain/tenant_state.h"
#include "server/store/device_row.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_device_state.h"
#include "server/store/sqlite_store.h"

namespace tally::server {

namespace {

//! One device row selected by `where` (one `?` parameter, bound by `bind`), or none.
template <class Bind>
Result<std::optional<Device>> find_device_where(SqliteDb& db, const char* where, Bind bind) {
    auto s = db.prepare(std::string("SELECT ") + detail::kDeviceColumns +
                        " FROM devices d JOIN tenants t ON t.id = d.tenant_id WHERE " + where);
    if (!s) {
        return s.error();
    }
    bind(*s);
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<Device>();
    }
    return std::optional<Device>(detail::device_from_row(*s));
}

//! The pairing's writes, in this order: one use of the code consumed, the device row, its
//! enrollment method (when one is named). The caller holds the transaction.
Result<void> record_pairing(SqliteDb& db, const PairAttempt& a, std::int64_t code_id,
                            std::int64_t tenant_id) {
    auto use = db.prepare("UPDATE pairing_codes SET uses_left = uses_left - 1 WHERE id = ?");
    if (!use) {
        return use.error();
    }
    if (auto r = use->bind(1, code_id).run(); !r) {
        return r.error();
    }
    auto ins = db.prepare(
        "INSERT INTO devices(id, tenant_id, public_key, hostname, os, os_version, agent_version,"
        " device_type, role, fingerprint, paired_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!ins) {
        return ins.error();
    }
    const auto& f = a.facts;
    ins->bind(1, a.new_device_id).bind(2, tenant_id).bind_blob(3, a.public_key);
    ins->bind(4, f.hostname).bind(5, f.os).bind(6, f.os_version).bind(7, f.agent_version);
    ins->bind(8, f.device_type).bind(9, f.role).bind(10, f.fingerprint).bind(11, a.now);
    if (auto r = ins->run(); !r) {
        return r.error();
    }
    if (!a.enrollment.empty()) {
        auto enrolled = db.prepare(
            "INSERT INTO device_enrollments (device_id, method, enrolled_at) VALUES (?, ?, ?)");
        if (!enrolled) {
            return enrolled.error();
        }
        if (auto r = enrolled->bind(1, a.new_device_id).bind(2, a.enrollment).bind(3, a.now).run();
            !r) {
            return r.error();
        }
    }
    return {};
}

}  // namespace

Result<std::optional<Device>> SqliteStore::find_device_locked(std::string_view device_id) {
    return find_device_where(*db_, "d.id = ?", [&](SqliteStatement& s) { s.bind(1, device_id); });
}

Result<std::optional<Device>> SqliteStore::find_device_by_key_locked(std::string_view key) {
    return find_device_where(*db_, "d.public_key = ?",
                             [&](SqliteStatement& s) { s.bind_blob(1, key); });
}

Result<std::optional<Device>> SqliteStore::find_device(std::string_view device_id) {
    // Committed state is all a caller outside a transaction can see anyway.
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    return find_device_where(reader->db(), "d.id = ?",
                             [&](SqliteStatement& s) { s.bind(1, device_id); });
}

Result<Device> SqliteStore::pair_device(const PairAttempt& a) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto code = db_->prepare(
        "SELECT c.id, c.uses_left, c.expires_at, t.id, t.name, t.status FROM pairing_codes c "
        "JOIN tenants t ON t.id = c.tenant_id WHERE c.code_hash = ?");
    if (!code) {
        return code.error();
    }
    code->bind(1, a.code_hash);
    auto row = code->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("invalid_code", "this pairing code is not known to the server");
    }
    const auto code_id = code->int64(0);
    const auto uses_left = code->int64(1);
    const auto expires_at = code->int64(2);
    const auto tenant_id = code->int64(3);
    const auto tenant_name = code->text(4);
    const auto tenant_status = code->text(5);

    // Same key again (a retry whose answer was lost): same device, no use consumed.
    auto existing = find_device_by_key_locked(a.public_key);
    if (!existing) {
        return existing.error();
    }
    if (*existing) {
        if ((*existing)->tenant != tenant_name) {
            return make_error("invalid_code",
                              "this device key is already paired with another tenant");
        }
        return **existing;
    }
    if (!domain::accepts_new_devices(tenant_status)) {
        return make_error("tenant_inactive", "tenant '" + tenant_name + "' is inactive");
    }
    if (a.now >= expires_at) {
        return make_error("code_expired", "this pairing code has expired");
    }
    if (uses_left <= 0) {
        return make_error("code_exhausted", "this pairing code has no uses left");
    }
    if (auto r = record_pairing(*db_, a, code_id, tenant_id); !r) {
        return r.error();
    }
    auto created = find_device_locked(a.new_device_id);
    if (!created) {
        return created.error();
    }
    if (auto r = txn->commit(); !r) {
        return r.error();
    }
    return **created;
}

Result<std::vector<Device>> SqliteStore::list_devices(std::string_view tenant) {
    std::lock_guard lock(mutex_);
    auto s = db_->prepare(std::string("SELECT ") + detail::kDeviceColumns +
                          " FROM devices d JOIN tenants t ON t.id = d.tenant_id "
                          "WHERE t.name = ? ORDER BY d.paired_at, d.id");
    if (!s) {
        return s.error();
    }
    s->bind(1, tenant);
    std::vector<Device> out;
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        out.push_back(detail::device_from_row(*s));
    }
}

Result<void> SqliteStore::retire_device(std::string_view device_id, std::string_view reason,
                                        std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto txn = SqliteTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    // The state machine decides again in this transaction (an admin and the agent may end
    // the device at once): the first end is kept, a refused one fails.
    auto ended = detail::end_device_state(*db_, device_id, reason, now);
    if (!ended) {
        return ended.error();
    }
    if (!ended->changes) {
        return txn->commit();
    }
    // Billing's buckets are cut at the retirement: recut when a stored heartbeat starts at or
    // after it (an agent clock ahead of the server's), so none straddles it.
    auto later = db_->prepare(
        "SELECT d.tenant_id FROM devices d WHERE d.id = ?1 AND d.retired_at = ?2 AND EXISTS"
        " (SELECT 1 FROM evidence_batches e WHERE e.device_id = d.id AND e.last_start >= ?2)");
    if (!later) {
        return later.error();
    }
    auto found = later->bind(1, device_id).bind(2, now).step();
    if (!found) {
        return found.error();
    }
    if (*found) {
        if (auto r = detail::rebuild_rollups(*db_, later->int64(0)); !r) {
            return r;
        }
    }
    return txn->commit();
}

}  // namespace tally::server
