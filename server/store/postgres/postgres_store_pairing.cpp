// PostgresStore: pairing codes and pairing (PROTOCOL.md §4). The code's row is locked for the
// whole pairing (SELECT … FOR UPDATE), so concurrent pairings on any number of servers consume
// its uses one at a time and never more than it has.

#include "server/domain/tenant_state.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {

namespace detail {

const char* const kPgDeviceColumns =
    "d.id, t.name, encode(d.public_key, 'hex'), d.hostname, d.os, d.os_version,"
    " d.agent_version, d.device_type, d.role, d.fingerprint, d.paired_at, d.retired_at,"
    " d.suspected_clone, d.acked_through, d.last_seq, d.last_seen";

Device pg_device_from_row(const PgResult& r, int row) {
    Device d;
    d.id = r.text(row, 0);
    d.tenant = r.text(row, 1);
    d.public_key = r.hex_bytes(row, 2);
    d.facts.hostname = r.text(row, 3);
    d.facts.os = r.text(row, 4);
    d.facts.os_version = r.text(row, 5);
    d.facts.agent_version = r.text(row, 6);
    d.facts.device_type = r.text(row, 7);
    d.facts.role = r.text(row, 8);
    d.facts.fingerprint = r.text(row, 9);
    d.paired_at = r.int64(row, 10);
    d.retired_at = r.opt_int64(row, 11);
    d.suspected_clone = r.boolean(row, 12);
    d.acked_through = static_cast<std::uint64_t>(r.int64(row, 13));
    d.last_seq = static_cast<std::uint64_t>(r.int64(row, 14));
    d.last_seen = r.opt_int64(row, 15);
    return d;
}

Result<std::optional<Device>> pg_device_where(PgConnection& c, const std::string& where,
                                              const PgParam& value) {
    auto r = c.exec(std::string("SELECT ") + kPgDeviceColumns +
                        " FROM devices d JOIN tenants t ON t.id = d.tenant_id WHERE " + where,
                    {value});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return std::optional<Device>();
    }
    return std::optional<Device>(pg_device_from_row(*r, 0));
}

}  // namespace detail

namespace {

//! Inserts the new device (and how it was enrolled) in the caller's transaction.
Result<void> insert_device(PgConnection& c, const PairAttempt& a, std::int64_t tenant_id) {
    const auto& f = a.facts;
    auto ins = c.exec(
        "INSERT INTO devices(id, tenant_id, public_key, hostname, os, os_version, agent_version,"
        " device_type, role, fingerprint, paired_at)"
        " VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, $7, $8, $9, $10, $11)",
        {pg_param(a.new_device_id), pg_param(tenant_id), pg_hex_param(a.public_key),
         pg_param(f.hostname), pg_param(f.os), pg_param(f.os_version), pg_param(f.agent_version),
         pg_param(f.device_type), pg_param(f.role), pg_param(f.fingerprint), pg_param(a.now)});
    if (!ins) {
        // The same key paired at the same moment through another code: run the pairing again,
        // which then finds that device.
        if (ins.error().code == "db_unique") {
            return make_error("db_retry", ins.error().message);
        }
        return ins.error();
    }
    if (!a.enrollment.empty()) {
        auto enrolled = c.exec(
            "INSERT INTO device_enrollments(device_id, method, enrolled_at) VALUES ($1, $2, $3)",
            {pg_param(a.new_device_id), pg_param(a.enrollment), pg_param(a.now)});
        if (!enrolled) {
            return enrolled.error();
        }
    }
    return {};
}

struct CodeRow {
    std::int64_t id = 0;
    std::int64_t uses_left = 0;
    std::int64_t expires_at = 0;
    std::int64_t tenant_id = 0;
    std::string tenant;
    std::string tenant_status;
};

//! The code's row, locked until the transaction ends. Errors: invalid_code, db*.
Result<CodeRow> lock_code(PgConnection& c, const std::string& code_hash) {
    auto r = c.exec(
        "SELECT c.id, c.uses_left, c.expires_at, t.id, t.name, t.status FROM pairing_codes c"
        " JOIN tenants t ON t.id = c.tenant_id WHERE c.code_hash = $1 FOR UPDATE OF c",
        {pg_param(code_hash)});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return make_error("invalid_code", "this pairing code is not known to the server");
    }
    return CodeRow{r->int64(0, 0), r->int64(0, 1), r->int64(0, 2),
                   r->int64(0, 3), r->text(0, 4),  r->text(0, 5)};
}

Result<Device> pair_locked(PgConnection& c, const PairAttempt& a) {
    auto code = lock_code(c, a.code_hash);
    if (!code) {
        return code.error();
    }
    // Same key again (a retry whose answer was lost): same device, no use consumed.
    auto existing =
        detail::pg_device_where(c, "d.public_key = decode($1, 'hex')", pg_hex_param(a.public_key));
    if (!existing) {
        return existing.error();
    }
    if (*existing) {
        if ((*existing)->tenant != code->tenant) {
            return make_error("invalid_code",
                              "this device key is already paired with another tenant");
        }
        return **existing;
    }
    if (!domain::accepts_new_devices(code->tenant_status)) {
        return make_error("tenant_inactive", "tenant '" + code->tenant + "' is inactive");
    }
    if (a.now >= code->expires_at) {
        return make_error("code_expired", "this pairing code has expired");
    }
    if (code->uses_left <= 0) {
        return make_error("code_exhausted", "this pairing code has no uses left");
    }
    if (auto use = c.exec("UPDATE pairing_codes SET uses_left = uses_left - 1 WHERE id = $1",
                          {pg_param(code->id)});
        !use) {
        return use.error();
    }
    if (auto r = insert_device(c, a, code->tenant_id); !r) {
        return r.error();
    }
    auto created = detail::pg_device_where(c, "d.id = $1", pg_param(a.new_device_id));
    if (!created) {
        return created.error();
    }
    if (!*created) {
        return make_error("db", "the paired device '" + a.new_device_id + "' was not stored");
    }
    return **created;
}

}  // namespace

Result<void> PostgresStore::add_pairing_code(const NewPairingCode& code, std::int64_t now) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r = c.exec(
            "INSERT INTO pairing_codes(tenant_id, code_hash, uses_left, expires_at, created_at)"
            " SELECT id, $1, $2::bigint, $3::bigint, $4::bigint FROM tenants WHERE name = $5",
            {pg_param(code.code_hash), pg_param(code.uses), pg_param(code.expires_at),
             pg_param(now), pg_param(code.tenant)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("not_found", "unknown tenant '" + code.tenant + "'");
        }
        return {};
    });
}

Result<Device> PostgresStore::pair_device(const PairAttempt& attempt) {
    return pg_transaction(
        *pool_, [&](PgConnection& c) -> Result<Device> { return pair_locked(c, attempt); });
}

}  // namespace tally::server
