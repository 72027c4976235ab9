#pragma once
// Internal to the SQLite store: the device column list and the row → Device mapping, shared
// by the device queries and the usage query.

#include "server/store/billing_records.h"
#include "server/store/records.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! Columns 0..16 of a device row; FROM devices d JOIN tenants t ON t.id = d.tenant_id.
inline constexpr const char* kDeviceColumns =
    "d.id, t.name, d.public_key, d.hostname, d.os, d.os_version, d.agent_version, "
    "d.device_type, d.role, d.fingerprint, d.paired_at, d.retired_at, d.suspected_clone, "
    "d.acked_through, d.last_seq, d.last_seen";

//! kDeviceColumns with only what a usage report's rows write and the billing engine reads: the
//! tenant, public key, OS, OS version, agent version and fingerprint read as "".
inline constexpr const char* kReportDeviceColumns =
    "d.id, '', '', d.hostname, '', '', '', d.device_type, d.role, '', d.paired_at, "
    "d.retired_at, d.suspected_clone, d.acked_through, d.last_seq, d.last_seen";

//! The columns of a row of kDeviceColumns (or kReportDeviceColumns) that billing and a
//! report's rows read, into `d`: a Device or a BillingDevice (same member names).
template <typename D>
void read_billed_columns(const SqliteStatement& s, D& d) {
    d.id = s.text(0);
    d.facts.hostname = s.text(3);
    d.facts.device_type = s.text(7);
    d.facts.role = s.text(8);
    d.paired_at = s.int64(10);
    if (!s.is_null(11)) {
        d.retired_at = s.int64(11);
    }
    d.suspected_clone = s.int64(12) != 0;
    d.last_seq = static_cast<std::uint64_t>(s.int64(14));
    if (!s.is_null(15)) {
        d.last_seen = s.int64(15);
    }
}

inline Device device_from_row(const SqliteStatement& s) {
    Device d;
    read_billed_columns(s, d);
    d.tenant = s.text(1);
    d.public_key = s.text(2);
    d.facts.os = s.text(4);
    d.facts.os_version = s.text(5);
    d.facts.agent_version = s.text(6);
    d.facts.fingerprint = s.text(9);
    d.acked_through = static_cast<std::uint64_t>(s.int64(13));
    return d;
}

//! The BillingDevice of a row of kReportDeviceColumns (or kDeviceColumns).
inline BillingDevice billing_device_from_row(const SqliteStatement& s) {
    BillingDevice d;
    read_billed_columns(s, d);
    return d;
}

}  // namespace tally::server::detail
