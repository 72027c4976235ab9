// Ordered scans of the month rollups (see month_rollup_scan.h).

#include "server/store/month_rollup_scan.h"

#include <string_view>
#include <utility>

namespace tally::server::detail {
namespace {

//! The month's devices with rollups, by id, with each device's latest end (?3 and ?4 are not
//! used), and their users with active minutes, by device id, principal and local.
constexpr const char* kAllDevicesSql =
    "SELECT m.device_id, m.heartbeats, m.active_minutes, m.day_mask, m.first_active,"
    " m.late_heartbeats, (SELECT max(d.last_end) FROM rollup_device_day d"
    "   WHERE d.device_id = m.device_id AND d.day >= ?5 AND d.day <= ?6)"
    " FROM rollup_device_month m WHERE m.tenant_id = ?1 AND m.month = ?2"
    " ORDER BY m.device_id";

constexpr const char* kAllUsersSql =
    "SELECT device_id, principal, local, active_minutes, day_mask, first_active, last_active"
    " FROM rollup_user_month WHERE tenant_id = ?1 AND month = ?2"
    " AND active_minutes > 0 ORDER BY device_id, principal, local";

//! How many devices and users kAllDevicesSql and kAllUsersSql read, and their ids' and
//! principals' bytes.
constexpr const char* kSizesSql =
    "SELECT * FROM (SELECT count(*), total(length(CAST(device_id AS BLOB)))"
    "   FROM rollup_device_month WHERE tenant_id = ?1 AND month = ?2),"
    " (SELECT count(*), total(length(CAST(principal AS BLOB))) FROM rollup_user_month"
    "   WHERE tenant_id = ?1 AND month = ?2 AND active_minutes > 0)";

MonthDeviceRollup device_of(const SqliteStatement& row) {
    MonthDeviceRollup m;
    m.heartbeats = row.int64(1);
    m.active_minutes = row.int64(2);
    m.day_mask = static_cast<std::uint32_t>(row.int64(3));
    if (!row.is_null(4)) {
        m.first_active = row.int64(4);
    }
    m.late_heartbeats = row.int64(5);
    m.last_end = row.int64(6);  // NULL (no day row) reads as 0
    return m;
}

//! The user rows of a scan ordered by device id, consumed one device at a time.
class UserCursor {
  public:
    explicit UserCursor(SqliteStatement& users) : users_(users) {}

    Result<void> start() { return next(); }

    //! Calls `fn` with each row of device `id`, skipping those of devices before it.
    template <typename Fn>
    Result<void> each_of(std::string_view id, Fn&& fn) {
        while (more_) {
            const auto c = users_.text_view(0).compare(id);
            if (c > 0) {
                return {};
            }
            if (c == 0) {
                fn(users_);
            }
            if (auto r = next(); !r) {
                return r;
            }
        }
        return {};
    }

  private:
    Result<void> next() {
        auto row = users_.step();
        if (!row) {
            return row.error();
        }
        more_ = *row;
        return {};
    }

    SqliteStatement& users_;
    bool more_ = false;
};

}  // namespace

void ScannedRollups::add_device(std::string_view id, const MonthDeviceRollup& m) {
    FlatDevice d;
    d.id_begin = static_cast<std::uint32_t>(ids_.size());
    d.id_size = static_cast<std::uint32_t>(id.size());
    d.first_user = static_cast<std::uint32_t>(users_.size());
    d.day_mask = m.day_mask;
    d.has_first_active = m.first_active.has_value();
    d.heartbeats = m.heartbeats;
    d.active_minutes = m.active_minutes;
    d.first_active = m.first_active.value_or(0);
    d.last_end = m.last_end;
    d.late_heartbeats = m.late_heartbeats;
    ids_ += id;
    devices_.push_back(d);
}

void ScannedRollups::add_user(std::string_view principal, bool local, std::int64_t active_minutes,
                              std::uint32_t day_mask, std::int64_t first_active,
                              std::int64_t last_active) {
    FlatUser f;
    f.principal_begin = static_cast<std::uint32_t>(principals_.size());
    f.principal_size = static_cast<std::uint32_t>(principal.size());
    f.day_mask = day_mask;
    f.local = local;
    f.active_minutes = active_minutes;
    f.first_active = first_active;
    f.last_active = last_active;
    principals_ += principal;
    users_.push_back(f);
    ++devices_.back().user_count;
}

void ScannedRollups::get(std::size_t i, MonthDeviceRollup& m) const {
    const auto& d = devices_[i];
    m.heartbeats = d.heartbeats;
    m.active_minutes = d.active_minutes;
    m.day_mask = d.day_mask;
    m.first_active =
        d.has_first_active ? std::optional<std::int64_t>(d.first_active) : std::nullopt;
    m.last_end = d.last_end;
    m.late_heartbeats = d.late_heartbeats;
    m.users.resize(d.user_count);
    for (std::uint32_t k = 0; k < d.user_count; ++k) {
        const auto& f = users_[d.first_user + k];
        auto& u = m.users[k];
        u.principal.assign(principals_, f.principal_begin, f.principal_size);
        u.local = f.local;
        u.active_minutes = f.active_minutes;
        u.day_mask = f.day_mask;
        u.first_active = f.first_active;
        u.last_active = f.last_active;
    }
}

Result<ScannedRollups> scan_month_rollups_by_id(SqliteDb& db, const MonthKey& key) {
    ScannedRollups out;
    // Each buffer allocated once, at its size: none is copied as it grows, and, read on a
    // thread of its own, none leaves freed copies in that thread's malloc arena.
    auto sizes = db.prepare(kSizesSql);
    if (!sizes) {
        return sizes.error();
    }
    if (auto r = sizes->bind(1, key.tid).bind(2, key.month).each_row([&](const SqliteStatement& s) {
            out.reserve(static_cast<std::size_t>(s.int64(0)), static_cast<std::size_t>(s.int64(1)),
                        static_cast<std::size_t>(s.int64(2)), static_cast<std::size_t>(s.int64(3)));
        });
        !r) {
        return r.error();
    }
    auto dev = db.prepare(kAllDevicesSql);
    if (!dev) {
        return dev.error();
    }
    auto users = db.prepare(kAllUsersSql);
    if (!users) {
        return users.error();
    }
    dev->bind(1, key.tid).bind(2, key.month).bind(5, key.first_day).bind(6, key.last_day);
    users->bind(1, key.tid).bind(2, key.month);
    UserCursor cursor(*users);
    if (auto r = cursor.start(); !r) {
        return r.error();
    }
    for (;;) {
        auto row = dev->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        const auto id = dev->text_view(0);
        out.add_device(id, device_of(*dev));
        if (auto r = cursor.each_of(id,
                                    [&](const SqliteStatement& u) {
                                        out.add_user(u.text_view(1), u.int64(2) != 0, u.int64(3),
                                                     static_cast<std::uint32_t>(u.int64(4)),
                                                     u.int64(5), u.int64(6));
                                    });
            !r) {
            return r.error();
        }
    }
}

}  // namespace tally::server::detail
