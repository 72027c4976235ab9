// The console's reads on a real store (ConsoleStore: sqlite_store_console.cpp, or with
// TALLY_TEST_DB=postgres postgres_store_console.cpp on a database of its own on the cluster
// TALLY_TEST_POSTGRES_URL names, tests/unit/server/store_backends.h; CTest ui.unit.postgres) and
// its use cases over them (application/console_*), on a small fleet written through the
// store API by bench/console/console_fleet.h: 70 devices, 4 heartbeats of 5 minutes each on
// days d, d+5, d+10, d+15 of 2026-11 (d = device number mod 19), every 7th device without a
// user, user i mod 42 on device i otherwise.

#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>

#include "bench/console/console_fleet.h"
#include "pairing/time_format.h"
#include "server/application/console_customers.h"
#include "server/application/console_detail.h"
#include "server/application/console_month.h"
#include "server/billing/user_key.h"
#include "server/store/sqlite_store.h"
#include "tests/unit/server/store_backends.h"

using namespace tally;
using namespace tally::server;

namespace {

bool on_postgres() {
    const char* db = std::getenv("TALLY_TEST_DB");
    return db != nullptr && std::string_view(db) == "postgres";
}

std::unique_ptr<Store> open_store(const std::filesystem::path& dir,
                                  std::optional<test::PgTestDatabase>& pg) {
    if (on_postgres()) {
        pg.emplace();
        auto opened = PostgresStore::open(pg->url());
        REQUIRE(opened);
        return std::move(*opened);
    }
    auto opened = SqliteStore::open((dir / "tally.db").string());
    REQUIRE(opened);
    return std::move(*opened);
}

struct Fleet {
    std::optional<test::PgTestDatabase> pg;
    std::filesystem::path dir;
    std::unique_ptr<Store> store;
    std::int64_t start = pairing::month_range_utc("2026-11")->first;
    std::int64_t now = start + 25 * 86400;

    Fleet() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "tally-ui-console-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        store = open_store(dir, pg);
        bench::ConsoleFleetOptions o;
        o.devices = 70;
        o.month_start = start;
        o.threads = 2;
        bench::build_console_fleet(*store, o);
    }
    ~Fleet() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
};

}  // namespace

TEST_CASE("console store: daily activity, a device's days, a user's month, events",
          "[console_store]") {
    Fleet f;
    auto days = f.store->console_days("vendor", 202611, 30);
    REQUIRE(days);
    REQUIRE(days->size() == 30);
    std::int64_t device_days = 0;
    for (const auto& d : *days) {
        device_days += d.active_devices;
        CHECK(d.active_users <= d.active_devices);
    }
    CHECK(device_days == 70 * 4);
    CHECK((*days)[19].active_devices == 0);  // day 20: no activity in the fleet

    const auto first = pairing::days_from_civil(2026, 11, 1);
    auto dev = f.store->console_device_days("dev-0000003", first, first + 29);
    REQUIRE(dev);
    REQUIRE(dev->size() == 4);
    CHECK((*dev)[0].day == first + 3);
    CHECK((*dev)[1].day == first + 8);
    CHECK((*dev)[0].active_minutes == 5);

    // user3 works on devices 3 and 45 (3 + 42).
    auto user = f.store->console_user_month("vendor", 202611, "user3@vendor.example",
                                            {"dev-0000003", "dev-0000045", "dev-0000004"});
    REQUIRE(user);
    REQUIRE(user->size() == 2);
    CHECK((*user)[0].active_minutes == 20);
    CHECK(__builtin_popcountll(static_cast<unsigned long long>((*user)[0].day_mask)) == 4);

    // Its minutes per day over both devices (billing's per-hour rollups): device 3 on days
    // 4, 9, 14, 19, device 45 on 8, 13, 18, 4 (5 minutes each), so day 4 has 10.
    auto user_days = f.store->console_user_days("user3@vendor.example", false,
                                                {"dev-0000003", "dev-0000045"}, first, first + 29);
    REQUIRE(user_days);
    REQUIRE(user_days->size() == 7);
    CHECK((*user_days)[0].day == first + 3);
    CHECK((*user_days)[0].active_minutes == 10);
    CHECK(std::accumulate(
              user_days->begin(), user_days->end(), std::int64_t{0},
              [](std::int64_t n, const ConsoleUserDay& d) { return n + d.active_minutes; }) == 40);
    auto other_principal = f.store->console_user_days("user4@vendor.example", false,
                                                      {"dev-0000003"}, first, first + 29);
    REQUIRE(other_principal);
    CHECK(other_principal->empty());

    CHECK(*f.store->console_month_active("vendor", 202611));
    CHECK_FALSE(*f.store->console_month_active("vendor", 202610));
    CHECK_FALSE(*f.store->console_month_active("small-a", 202611));

    auto events = f.store->console_device_events("dev-0000003");
    REQUIRE(events);
    REQUIRE(!events->empty());
    CHECK(events->front().what == "paired");
    REQUIRE(f.store->set_device_type("dev-0000003", "personal", f.now));
    REQUIRE(f.store->retire_device("dev-0000003", "uninstall", f.now + 1));
    events = f.store->console_device_events("dev-0000003");
    REQUIRE(events);
    REQUIRE(events->size() == 3);
    CHECK((*events)[1].what == "type changed from business to personal");
    CHECK((*events)[2].what == "retired: uninstall");
}

TEST_CASE("console use cases: a month's pages, a device, a user, Customers", "[console_store]") {
    Fleet f;
    // Waits for every computation (the pending path is console_cache_test's).
    application::ReportCache cache(*f.store, {60, std::size_t{64} << 20, std::chrono::seconds(60)});
    application::TableQuery devices;
    devices.sort = "hostname";
    devices.page = 1;
    application::TableQuery users;
    users.sort = "active_minutes";
    users.descending = true;
    auto month = application::console_month(cache, "vendor", "2026-11", devices, users, f.now);
    REQUIRE(month);
    CHECK(month->devices_page.total == 70);
    CHECK(month->devices.size() == 70);
    CHECK(month->devices.front().usage.device.facts.hostname == "host-0000000.vendor.example");
    CHECK(month->users_page.total == 36);               // 42 users but the 6 multiples of 7
    CHECK(month->users.front()->active_minutes == 40);  // a user on two devices
    CHECK(month->trend.size() == 12);
    CHECK(month->trend.back().month == "2026-11");
    CHECK(month->trend.back().billable_units == month->report->summary.billable_units);
    CHECK(month->trend.front().billable_units == 0);

    devices.search = "HOST-0000069";
    month = application::console_month(cache, "vendor", "2026-11", devices, users, f.now);
    REQUIRE(month);
    REQUIRE(month->devices.size() == 1);
    CHECK(month->devices_page.matched == 1);

    auto device =
        application::console_device(*f.store, cache, "vendor", "2026-11", "dev-0000069", f.now);
    REQUIRE(device);
    REQUIRE(device->row.has_value());
    CHECK(device->days.size() == 4);
    CHECK(!device->row->explanation.empty());
    // Another tenant's device is "not found" in this one.
    auto other =
        application::console_device(*f.store, cache, "small-a", "2026-11", "dev-0000069", f.now);
    REQUIRE(!other);
    CHECK(other.error().code == "not_found");

    const auto key = billing::user_key("user3@vendor.example", false, "");
    auto user = application::console_user(*f.store, cache, "vendor", "2026-11", key, f.now);
    REQUIRE(user);
    CHECK(user->devices.size() == 2);
    CHECK(user->hostnames[0] == "host-0000003.vendor.example");
    REQUIRE(user->days.size() == 7);  // the per-day minutes chart's data
    CHECK(user->days[0].day == user->first_day + 3);

    application::TableQuery by_units;
    by_units.sort = "units";
    by_units.descending = true;
    auto customers = application::console_customers(*f.store, cache, application::Caller{},
                                                    "2026-11", by_units, "", f.now);
    REQUIRE(customers);
    REQUIRE(customers->rows.size() == 4);
    CHECK(customers->rows.front().name == "vendor");
    CHECK(customers->rows.front().units_this_month == month->report->summary.billable_units);
    CHECK(customers->rows.front().change() == customers->rows.front().units_this_month);
    auto tenant_admin = application::console_customers(
        *f.store, cache, application::Caller{"vendor"}, "2026-11", by_units, "", f.now);
    REQUIRE(!tenant_admin);
    CHECK(tenant_admin.error().code == "forbidden");
    auto bad = application::console_customers(*f.store, cache, application::Caller{}, "2026-11",
                                              by_units, "trial", f.now);
    REQUIRE(!bad);
    CHECK(bad.error().message.find("Parameter status") != std::string::npos);
}
