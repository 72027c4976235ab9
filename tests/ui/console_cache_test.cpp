// The console's kept billing results (application/report_cache.h) on a real SQLite store:
// computed in the background (a page never waits longer than the cache's wait), refreshed
// behind a stale one, bounded in bytes with the least recently used evicted; and Customers'
// "this month" in each tenant's own time zone (UTC+13 and UTC-10 around a month boundary).

#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <string>

#include "bench/console/console_fleet.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "pairing/time_format.h"
#include "server/application/console_customers.h"
#include "server/application/console_month.h"
#include "server/application/report_cache.h"
#include "server/report/usage_json.h"
#include "server/store/sqlite_store.h"

using namespace tally;
using namespace tally::server;
using application::ReportCache;
using application::ReportCacheOptions;

namespace {

struct TempStore {
    std::filesystem::path dir;
    std::unique_ptr<SqliteStore> store;

    TempStore() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "tally-ui-cache-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        auto opened = SqliteStore::open((dir / "tally.db").string());
        REQUIRE(opened);
        store = std::move(*opened);
    }
    ~TempStore() {
        store.reset();
        std::filesystem::remove_all(dir);
    }
};

const std::int64_t kNov = pairing::month_range_utc("2026-11")->first;

ReportCacheOptions waiting(std::size_t max_bytes = std::size_t{64} << 20) {
    return {60, max_bytes, std::chrono::seconds(60)};
}

//! A tenant (made long ago: no trial) in `zone` with one device and one heartbeat of one
//! user at `start`.
void tenant_with_heartbeat(SqliteStore& store, const std::string& name, const std::string& zone,
                           std::int64_t start) {
    REQUIRE(store.add_tenant(name, start - 86400 * 400));
    auto settings = store.tenant_settings(name);
    REQUIRE(settings);
    settings->time_zone = zone;
    REQUIRE(store.update_tenant_settings(*settings));
    const auto code_hash = pairing::hex_encode(pairing::sha256("code-" + name));
    REQUIRE(store.add_pairing_code({name, code_hash, 2, start + 86400}, start - 86400));
    std::string key(65, '\0');
    key[0] = 4;
    std::copy(name.begin(), name.end(), key.begin() + 1);
    const auto id = "dev-" + name;
    const pairing::DeviceFacts facts{
        "host-" + name, "linux", "12", "1.0", "business", "workstation", std::string(64, 'a')};
    REQUIRE(store.pair_device({code_hash, key, facts, id, start - 3600, ""}));
    pairing::Heartbeat hb;
    hb.seq = 1;
    hb.start = start;
    hb.end = start + 300;
    hb.boot_id = "boot";
    hb.device_active_minutes = 5;
    hb.users.push_back({"someone@" + name, false, "x11", 5});
    hb.prev = pairing::kGenesisPrev;
    auto bytes = pairing::encode_heartbeat(hb);
    std::vector<AcceptedHeartbeat> batch;
    batch.push_back({std::move(bytes), std::move(hb), false});
    REQUIRE(store.store_batch(id, batch, {}, start + 360));
}

}  // namespace

TEST_CASE("report cache: a month is computed in the background, a page never waits longer") {
    TempStore s;
    bench::ConsoleFleetOptions o;
    o.devices = 40;
    o.month_start = kNov;
    o.threads = 2;
    bench::build_console_fleet(*s.store, o);
    const auto now = kNov + 25 * 86400;
    ReportCache cache(*s.store, {60, std::size_t{64} << 20, std::chrono::milliseconds(0)});

    // Nothing kept: asked for, not waited for (the page shows it as being computed).
    auto first = cache.report("vendor", "2026-11", now);
    REQUIRE(first);
    CHECK(*first == nullptr);
    CHECK(cache.pending_since("vendor", "2026-11") == now);
    cache.drain();
    CHECK_FALSE(cache.pending_since("vendor", "2026-11"));
    auto kept = cache.report("vendor", "2026-11", now);
    REQUIRE(kept);
    REQUIRE(*kept != nullptr);
    CHECK((*kept)->devices.size() == 40);
    CHECK((*kept)->generated_at == now);
    CHECK(!(*kept)->devices[0].hostname.empty());

    // Stale: the kept one is served at once while its refresh runs behind it.
    auto stale = cache.report("vendor", "2026-11", now + 61);
    REQUIRE(stale);
    CHECK(*stale == *kept);
    cache.drain();
    auto fresh = cache.report("vendor", "2026-11", now + 61);
    REQUIRE(fresh);
    CHECK(*fresh != *kept);
    CHECK((*fresh)->generated_at == now + 61);

    // Warm-up: a month with rollups is computed ahead, one without is not asked for.
    ReportCache warm(*s.store, {60, std::size_t{64} << 20, std::chrono::milliseconds(0)});
    REQUIRE(warm.request("vendor", "2026-10", now));
    warm.drain();
    CHECK(warm.kept_reports() == 0);
    REQUIRE(warm.request("vendor", "2026-11", now));
    warm.drain();
    CHECK(warm.kept_reports() == 1);
    auto warmed = warm.report("vendor", "2026-11", now);
    REQUIRE(warmed);
    CHECK(*warmed != nullptr);  // at once, without waiting

    // A failed computation is the waiting page's error, and asked for again next time.
    ReportCache waits(*s.store, waiting());
    auto unknown = waits.report("no-such-tenant", "2026-11", now);
    REQUIRE(!unknown);
    CHECK(unknown.error().code == "not_found");
    CHECK(waits.kept_reports() == 0);
}

TEST_CASE("a kept month of a real fleet expands to the report's own rows: the same JSON") {
    TempStore s;
    bench::ConsoleFleetOptions o;
    o.devices = 50;
    o.month_start = kNov;
    o.threads = 2;
    bench::build_console_fleet(*s.store, o);
    REQUIRE(s.store->retire_device("dev-0000004", "uninstall", kNov + 10 * 86400));
    auto full = build_usage_report(*s.store, "vendor", "2026-11", kNov + 25 * 86400);
    REQUIRE(full);
    const auto kept = application::keep_report(*full);
    UsageReport back{kept.tenant, kept.month, kept.generated_at, kept.summary,
                     {},          kept.users, kept.late};
    for (const auto& d : kept.devices) {
        back.devices.push_back(kept.expand(d));
    }
    CHECK(usage_to_json(back) == usage_to_json(*full));
    // Well under the report's bytes (bench/console prints the figure at 100,000 devices).
    CHECK(application::approx_bytes(kept) * 3 < application::approx_bytes(*full) * 2);
}

TEST_CASE("report cache: kept reports stay under the byte bound, least recently used first") {
    TempStore s;
    bench::ConsoleFleetOptions o;
    o.devices = 60;
    o.month_start = kNov;
    o.threads = 2;
    bench::build_console_fleet(*s.store, o);
    const auto now = kNov + 25 * 86400;
    // The months before the fleet's are empty: reports of one size.
    std::size_t one = 0;
    {
        ReportCache measure(*s.store, waiting());
        auto r = measure.report("vendor", "2026-01", now);
        REQUIRE(r);
        one = application::approx_bytes(**r);
        CHECK(measure.kept_bytes() == one);
    }
    REQUIRE(one > 0);
    const auto bound = one * 5 / 2;  // room for two
    ReportCache cache(*s.store, waiting(bound));
    auto a = cache.report("vendor", "2026-01", now);
    auto b = cache.report("vendor", "2026-02", now);
    REQUIRE((a && b));
    CHECK(cache.kept_reports() == 2);
    REQUIRE(cache.report("vendor", "2026-01", now));  // a used last: b is the LRU
    REQUIRE(cache.report("vendor", "2026-03", now));
    CHECK(cache.kept_reports() == 2);
    CHECK(cache.kept_bytes() <= bound);
    auto a_again = cache.report("vendor", "2026-01", now);
    REQUIRE(a_again);
    CHECK(*a_again == *a);  // kept
    auto b_again = cache.report("vendor", "2026-02", now);
    REQUIRE(b_again);
    CHECK(*b_again != *b);  // evicted, computed again

    // Whatever is asked for, the bound holds (the fleet's month is bigger than the rest).
    for (int m = 1; m <= 11; ++m) {
        const auto month = application::shift_month("2026-01", m - 1);
        REQUIRE(cache.report("vendor", month, now));
        CHECK((cache.kept_bytes() <= bound || cache.kept_reports() == 1));
        CHECK(cache.kept_reports() <= 2);
    }
    // A single report bigger than the bound is kept alone.
    ReportCache tiny(*s.store, waiting(1));
    REQUIRE(tiny.report("vendor", "2026-11", now));
    REQUIRE(tiny.report("vendor", "2026-10", now));
    CHECK(tiny.kept_reports() == 1);
}

TEST_CASE("Customers: this month is each tenant's own, in its time zone") {
    TempStore s;
    // 2026-11-30 11:00 UTC is 2026-12-01 00:00 at UTC+13 and 2026-11-30 01:00 at UTC-10.
    const auto at = kNov + 29 * 86400 + 11 * 3600;
    tenant_with_heartbeat(*s.store, "tonga", "Pacific/Tongatapu", at);
    tenant_with_heartbeat(*s.store, "honolulu", "Pacific/Honolulu", at);
    ReportCache cache(*s.store, waiting());
    application::TableQuery by_name;
    by_name.sort = "name";
    const auto now = at + 3600;
    auto customers = application::console_customers(*s.store, cache, application::Caller{}, "",
                                                    by_name, "", now);
    REQUIRE(customers);
    REQUIRE(customers->rows.size() == 2);
    const auto& honolulu = customers->rows[0];
    const auto& tonga = customers->rows[1];
    CHECK(honolulu.month == "2026-11");
    CHECK(honolulu.last_month == "2026-10");
    CHECK(honolulu.units_this_month == 1);
    CHECK(honolulu.units_last_month == 0);
    CHECK(tonga.month == "2026-12");
    CHECK(tonga.last_month == "2026-11");
    CHECK(tonga.units_this_month == 1);  // its heartbeat is on its December 1st
    CHECK(tonga.units_last_month == 0);
    CHECK(customers->pending == 0);

    // A month picked is every tenant's: Tonga has nothing in its November.
    auto picked = application::console_customers(*s.store, cache, application::Caller{}, "2026-11",
                                                 by_name, "", now);
    REQUIRE(picked);
    CHECK(picked->rows[0].units_this_month == 1);
    CHECK(picked->rows[1].month == "2026-11");
    CHECK(picked->rows[1].units_this_month == 0);

    // An hour earlier in UTC both tenants are in November.
    auto month = application::local_month("Pacific/Tongatapu", at - 3600);
    REQUIRE(month);
    CHECK(*month == "2026-11");
    CHECK(*application::local_month("Pacific/Honolulu", kNov + 30 * 86400 + 9 * 3600) == "2026-11");
    CHECK(*application::local_month("Pacific/Honolulu", kNov + 30 * 86400 + 10 * 3600) ==
          "2026-12");
    auto bad = application::local_month("Not/AZone", now);
    REQUIRE(!bad);
}
