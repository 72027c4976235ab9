// The SQLite store's ordered scans of the month rollups (server/store/month_rollup_scan.h):
// each device's rollups equal what one look-up per device reads (rollup_device_month,
// rollup_user_month with active minutes, max(rollup_device_day.last_end) over the month's
// days), with another tenant's devices whose ids fall between, devices without a heartbeat in
// the month, and users without active minutes; matched to the devices by id, and to a list
// that lacks some of the scanned devices.

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "billing_fixture.h"
#include "server/store/billing_queries.h"
#include "server/store/month_rollup_scan.h"
#include "server/store/rollups.h"

namespace tally::server::test {
namespace {

using detail::MonthKey;

//! One device's month rollups by one look-up per table (the reference the scan must equal).
std::optional<MonthDeviceRollup> look_up(SqliteDb& db, const MonthKey& key, const std::string& id) {
    auto dev = db.prepare(
        "SELECT heartbeats, active_minutes, day_mask, first_active, late_heartbeats"
        " FROM rollup_device_month WHERE tenant_id = ?1 AND month = ?2 AND device_id = ?3");
    REQUIRE(dev.ok());
    auto row = dev->bind(1, key.tid).bind(2, key.month).bind(3, id).step();
    REQUIRE(row.ok());
    if (!*row) {
        return std::nullopt;
    }
    MonthDeviceRollup m;
    m.heartbeats = dev->int64(0);
    m.active_minutes = dev->int64(1);
    m.day_mask = static_cast<std::uint32_t>(dev->int64(2));
    if (!dev->is_null(3)) {
        m.first_active = dev->int64(3);
    }
    m.late_heartbeats = dev->int64(4);
    auto users = db.prepare(
        "SELECT principal, local, active_minutes, day_mask, first_active, last_active"
        " FROM rollup_user_month WHERE tenant_id = ?1 AND month = ?2 AND device_id = ?3"
        " AND active_minutes > 0 ORDER BY principal, local");
    REQUIRE(users.ok());
    REQUIRE(users->bind(1, key.tid)
                .bind(2, key.month)
                .bind(3, id)
                .each_row([&](const SqliteStatement& u) {
                    m.users.push_back({u.text(0), u.int64(1) != 0, u.int64(2),
                                       static_cast<std::uint32_t>(u.int64(3)), u.int64(4),
                                       u.int64(5)});
                })
                .ok());
    auto days = db.prepare(
        "SELECT max(last_end) FROM rollup_device_day WHERE device_id = ?1 AND day >= ?2"
        " AND day <= ?3");
    REQUIRE(days.ok());
    REQUIRE(days->bind(1, id).bind(2, key.first_day).bind(3, key.last_day).step().ok());
    m.last_end = days->is_null(0) ? 0 : days->int64(0);
    return m;
}

bool same(const std::optional<MonthDeviceRollup>& a, const std::optional<MonthDeviceRollup>& b) {
    if (!a || !b) {
        return !a && !b;
    }
    const auto same_user = [](const MonthUserRollup& x, const MonthUserRollup& y) {
        return x.principal == y.principal && x.local == y.local &&
               x.active_minutes == y.active_minutes && x.day_mask == y.day_mask &&
               x.first_active == y.first_active && x.last_active == y.last_active;
    };
    return a->heartbeats == b->heartbeats && a->active_minutes == b->active_minutes &&
           a->day_mask == b->day_mask && a->first_active == b->first_active &&
           a->last_end == b->last_end && a->late_heartbeats == b->late_heartbeats &&
           std::equal(a->users.begin(), a->users.end(), b->users.begin(), b->users.end(),
                      same_user);
}

//! A few heartbeats of `device` in November (and one on October 31st), users with and without
//! active minutes, one of them local.
void november(BillingScenario& s, const std::string& device, int n) {
    s.beat(device, at(2026, 10, 31, 10), 3, {user("alice", 2)});
    for (int i = 0; i < n; ++i) {
        s.beat(device, at(2026, 11, 2 + 3 * static_cast<unsigned>(i), 9 + i), 4,
               {user("bob", static_cast<std::uint32_t>(i % 3)), user("admin", 1, true),
                user("carol", 5)});
    }
}

}  // namespace

TEST_CASE("scan_month_rollups_by_id: each device's month rollups, matched by id", "[month][scan]") {
    BillingScenario s;
    for (int i = 0; i < 8; ++i) {
        s.device("a" + std::to_string(i));
        if (i % 4 != 3) {
            november(s, "a" + std::to_string(i), 1 + i % 5);
        } else if (i == 3) {
            s.beat("a3", at(2026, 10, 20), 5, {user("alice", 5)});  // none in November
        }                                                           // a7: no heartbeat at all
    }
    // Another tenant's devices: their ids fall between acme's, their rollups in the same table.
    REQUIRE(s.f.store->add_tenant("other", at(2026, 9, 1)).ok());
    s.f.code = s.f.make_code("other", 10);
    for (int i = 0; i < 6; ++i) {
        s.device("o" + std::to_string(i));
        november(s, "o" + std::to_string(i), 2);
    }

    auto db = SqliteDb::open((s.f.dir.path() / "tally.db").string());
    REQUIRE(db.ok());
    auto tid = detail::tenant_id(**db, "acme");
    REQUIRE(tid.ok());
    auto clock = detail::tenant_clock(**db, *tid);
    REQUIRE(clock.ok());
    const auto from = at(2026, 11, 1, 0);
    const MonthKey key{*tid, clock->month_day(from).first, clock->tz.local_day(from),
                       clock->tz.local_day(at(2026, 12, 1, 0) - 1)};
    auto devices = s.f.store->list_devices("acme");
    REQUIRE(devices.ok());
    REQUIRE(devices->size() == 8);
    std::vector<std::uint32_t> by_id(devices->size());
    std::iota(by_id.begin(), by_id.end(), 0U);
    std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t a, std::uint32_t b) {
        return (*devices)[a].id < (*devices)[b].id;
    });

    // Read by id without the devices (at the same time as them), matched afterwards; the
    // tenant's only (the other tenant's ids fall between).
    auto scanned = detail::scan_month_rollups_by_id(**db, key);
    REQUIRE(scanned.ok());
    CHECK(scanned->size() == 6);  // a3 and a7 have no November
    const auto at_pos = detail::match_month_rollups(*scanned, *devices, by_id);
    REQUIRE(at_pos.size() == devices->size());
    std::vector<std::optional<MonthDeviceRollup>> whole(devices->size());
    MonthDeviceRollup m;  // reused, as the reads reuse it
    for (std::size_t i = 0; i < devices->size(); ++i) {
        INFO("device " << (*devices)[i].id);
        if (at_pos[i] != detail::kNoRollup) {
            CHECK(scanned->id(at_pos[i]) == (*devices)[i].id);
            scanned->get(at_pos[i], m);
            whole[i] = m;
        }
        CHECK(same(whole[i], look_up(**db, key, (*devices)[i].id)));
    }
    const auto with_user = std::count_if(whole.begin(), whole.end(), [](const auto& r) {
        return r && r->users.size() == 3;  // alice's October minutes and bob's zeros are not
    });
    CHECK(with_user >= 1);
    // A device list without some of the scanned devices: theirs are left unmatched.
    const std::vector<Device> some(devices->begin(), devices->begin() + 3);
    std::vector<std::uint32_t> some_by_id{0, 1, 2};
    std::sort(some_by_id.begin(), some_by_id.end(),
              [&](std::uint32_t a, std::uint32_t b) { return some[a].id < some[b].id; });
    const auto some_pos = detail::match_month_rollups(*scanned, some, some_by_id);
    REQUIRE(some_pos.size() == 3);
    for (std::size_t i = 0; i < some.size(); ++i) {
        CHECK((some_pos[i] != detail::kNoRollup) == whole[i].has_value());
    }
}

}  // namespace tally::server::test
