// SqliteStore::verify_evidence (see evidence_check.h): re-checks one tenant's month from what
// the store holds, read in one transaction under the store's lock.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "pairing/heartbeat.h"
#include "server/store/billing_queries.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

using UserMinutes = std::map<std::pair<std::string, bool>, std::int64_t>;

struct StoredHeartbeat {
    std::uint64_t seq = 0;
    std::string bytes;
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::int64_t device_minutes = 0;
    UserMinutes users;
};

bool is_redacted(std::string_view bytes) {
    return bytes.substr(0, 9) == "redacted-";
}

//! The bytes stored for `seq` (counted or held), if any.
Result<std::optional<std::string>> bytes_of(SqliteDb& db, const std::string& device,
                                            std::uint64_t seq) {
    auto s = db.prepare(
        "SELECT bytes FROM heartbeats WHERE device_id = ?1 AND seq = ?2"
        " UNION ALL SELECT bytes FROM held_heartbeats WHERE device_id = ?1 AND seq = ?2");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, device).bind(2, static_cast<std::int64_t>(seq)).step();
    if (!row) {
        return row.error();
    }
    return *row ? std::optional<std::string>(s->text(0)) : std::nullopt;
}

//! Why the stored bytes do not match the numbers the heartbeat was counted with ("" if they do).
std::string mismatch(const StoredHeartbeat& h) {
    auto d = pairing::decode_heartbeat(h.bytes);
    if (!d) {
        return "stored bytes do not decode: " + d.error().message;
    }
    if (d->seq != h.seq || d->start != h.start || d->end != h.end ||
        std::int64_t{d->device_active_minutes} != h.device_minutes) {
        return "stored bytes disagree with the counted seq, times or device minutes";
    }
    UserMinutes users;
    for (const auto& u : d->users) {
        users[{u.principal, u.local}] += u.active_minutes;
    }
    return users == h.users ? "" : "stored bytes disagree with the counted users' minutes";
}

Result<bool> break_recorded(SqliteDb& db, const std::string& device, std::uint64_t seq) {
    auto s = db.prepare("SELECT 1 FROM chain_breaks WHERE device_id = ? AND seq = ?");
    if (!s) {
        return s.error();
    }
    return s->bind(1, device).bind(2, static_cast<std::int64_t>(seq)).step();
}

//! Checks `h`'s bytes and its link to the heartbeat before it.
Result<void> check_one(SqliteDb& db, const std::string& device, const StoredHeartbeat& h,
                       const std::optional<std::pair<std::uint64_t, std::string>>& previous,
                       EvidenceCheck& out) {
    if (is_redacted(h.bytes)) {
        ++out.redacted;
        return {};
    }
    if (auto why = mismatch(h); !why.empty()) {
        out.problems.push_back({device, h.seq, why});
        return {};
    }
    ++out.decoded_ok;
    std::optional<std::string> before;
    if (h.seq == 1) {
        before.reset();
    } else if (previous && previous->first == h.seq - 1) {
        before = previous->second;
    } else {
        auto stored = bytes_of(db, device, h.seq - 1);
        if (!stored) {
            return stored.error();
        }
        before = std::move(*stored);
    }
    const auto prev = pairing::decode_heartbeat(h.bytes)->prev;
    const bool checkable = h.seq == 1 || (before && !is_redacted(*before));
    if (!checkable) {
        return {};  // the seq before is not stored (a declared gap) or was redacted
    }
    ++out.links_checked;
    const auto expected =
        h.seq == 1 ? std::string(pairing::kGenesisPrev) : pairing::chain_hash(*before);
    if (prev == expected) {
        return {};
    }
    auto recorded = break_recorded(db, device, h.seq);
    if (!recorded) {
        return recorded.error();
    }
    if (*recorded) {
        ++out.recorded_breaks;
    } else {
        out.problems.push_back({device, h.seq,
                                "prev does not match the heartbeat before it, "
                                "and no chain break was recorded on arrival"});
    }
    return {};
}

Result<void> check_heartbeats(SqliteDb& db, std::int64_t tid, std::int64_t from, std::int64_t to,
                              EvidenceCheck& out) {
    auto s = db.prepare(
        "SELECT h.device_id, h.seq, h.bytes, h.start_ts, h.end_ts, h.device_active_minutes,"
        " hu.principal, hu.local, hu.active_minutes FROM devices d"
        " JOIN heartbeats h ON h.device_id = d.id"
        " LEFT JOIN heartbeat_users hu ON hu.device_id = h.device_id AND hu.seq = h.seq"
        " WHERE d.tenant_id = ?1 AND h.start_ts >= ?2 AND h.start_ts < ?3"
        " ORDER BY h.device_id, h.seq");
    if (!s) {
        return s.error();
    }
    s->bind(1, tid).bind(2, from).bind(3, to);
    std::string device;
    std::optional<StoredHeartbeat> current;
    std::optional<std::pair<std::uint64_t, std::string>> previous;  // of the same device
    const auto flush = [&]() -> Result<void> {
        if (!current) {
            return {};
        }
        ++out.heartbeats;
        auto r = check_one(db, device, *current, previous, out);
        previous.emplace(current->seq, std::move(current->bytes));
        current.reset();
        return r;
    };
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return flush();
        }
        const auto seq = static_cast<std::uint64_t>(s->int64(1));
        if (!current || s->text(0) != device || seq != current->seq) {
            if (auto r = flush(); !r) {
                return r;
            }
            if (s->text(0) != device) {
                device = s->text(0);
                previous.reset();
            }
            current = StoredHeartbeat{seq, s->text(2), s->int64(3), s->int64(4), s->int64(5), {}};
        }
        if (!s->is_null(6)) {
            current->users[{s->text(6), s->int64(7) != 0}] += s->int64(8);
        }
    }
}

Result<std::int64_t> count_held(SqliteDb& db, std::int64_t tid, std::int64_t from,
                                std::int64_t to) {
    auto s = db.prepare(
        "SELECT count(*) FROM held_heartbeats x JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = ? AND x.start_ts >= ? AND x.start_ts < ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, tid).bind(2, from).bind(3, to).step();
    if (!row) {
        return row.error();
    }
    return s->int64(0);
}

}  // namespace

Result<EvidenceCheck> SqliteStore::verify_evidence(std::string_view tenant,
                                                   std::string_view month) {
    std::lock_guard lock(mutex_);
    auto txn = detail::ReadTransaction::begin(*db_);
    if (!txn) {
        return txn.error();
    }
    auto clock = clock_locked(tenant);
    if (!clock) {
        return clock.error();
    }
    const auto range = (*clock)->tz.month_range(month);
    if (!range) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    EvidenceCheck out;
    out.time_zone = (*clock)->tz.name();
    const auto tid = (*clock)->tenant_id;
    if (auto r = check_heartbeats(*db_, tid, range->first, range->second, out); !r) {
        return r.error();
    }
    auto held = count_held(*db_, tid, range->first, range->second);
    if (!held) {
        return held.error();
    }
    out.held = *held;
    const auto number = (*clock)->month_day(range->first).first;
    auto expected = detail::recompute_rollups(*db_, **clock, number);
    if (!expected) {
        return expected.error();
    }
    auto stored = detail::read_rollups(*db_, tid, number);
    if (!stored) {
        return stored.error();
    }
    out.rollup_rows = static_cast<std::int64_t>(
        stored->device_months.size() + stored->user_months.size() + stored->device_days.size());
    out.rollup_differences = detail::diff_rollups(*expected, *stored);
    return out;
}

}  // namespace tally::server
