// Whole-month facts (server/store/month_facts.h): the usage report computed from one fact per
// device-month where no cut splits it equals, byte for byte in JSON, the report computed from
// the hourly buckets, over randomized fleets with every kind of cut (trial end, inactivation,
// inactive spans, retirement inside the month, late heartbeats of a closed month, merges,
// admin assignments, a zone with DST changes, the trailing window of 31-day months and of a
// month still running).

#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "billing_fixture.h"
#include "server/billing/tenant_policy.h"
#include "server/billing/user_key.h"
#include "server/report/usage_json.h"
#include "server/report/usage_output.h"

namespace tally::server::test {
namespace {

//! The JSON of the month's report both ways; REQUIREs them equal and returns it.
std::string both_ways(BillingScenario& s, const std::string& month, std::int64_t now) {
    auto coarse =
        build_usage_report_from_rollups(*s.f.store, "acme", month, now, FactGrain::kMonth);
    auto fine = build_usage_report_from_rollups(*s.f.store, "acme", month, now, FactGrain::kHourly);
    REQUIRE(coarse.ok());
    REQUIRE(fine.ok());
    const auto json = usage_to_json(*coarse);
    INFO("month " << month << " at " << now);
    REQUIRE(json == usage_to_json(*fine));
    return json;
}

//! A random fleet of `devices` devices uploading from October to mid-December 2026.
struct Fleet {
    Fleet(std::uint32_t seed, int devices) : rng(seed) {
        for (int i = 0; i < devices; ++i) {
            names.push_back("d" + std::to_string(i));
            upload_all(s.device(names.back(), pick(3) == 0 ? "personal" : "business"));
        }
    }

    void upload_all(TestDevice& dev) {
        static const char* const kPeople[] = {"alice", "Alice", "bob", "carol", "dave", "erin"};
        std::int64_t end = at(2026, 10, 1) + pick(20) * kDay + pick(86400);
        std::vector<std::string> batch;
        while (end < at(2026, 12, 20)) {
            std::vector<pairing::UserActivity> users;
            const auto first = pick(6);
            for (std::uint32_t u = 0, n = pick(3); u < n; ++u) {  // distinct principals
                users.push_back(user(kPeople[(first + u) % 6], pick(6), pick(5) == 0));
            }
            batch.push_back(dev.next_heartbeat(end, pick(6), std::move(users)));
            // Now and then one received long after November's close (a late heartbeat).
            const bool late = end > at(2026, 11, 20) && end < at(2026, 12, 1) && pick(30) == 0;
            if (late || batch.size() >= 20) {
                REQUIRE(s.f.upload(dev, dev.batch(batch), late ? at(2026, 12, 10) : end + 60).ok());
                batch.clear();
            }
            end += 300 + static_cast<std::int64_t>(pick(3) * pick(4)) * 3600;
        }
        if (!batch.empty()) {
            REQUIRE(s.f.upload(dev, dev.batch(batch), end + 60).ok());
        }
    }

    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); }

    BillingScenario s;
    std::mt19937 rng;
    std::vector<std::string> names;
};

//! Every month of the fleet, at instants that make it running, past but open, and closed.
void compare_months(BillingScenario& s) {
    for (const auto* month : {"2026-09", "2026-10", "2026-11", "2026-12", "2027-02"}) {
        for (const auto now :
             {at(2026, 11, 20), at(2026, 12, 2), at(2026, 12, 15), at(2027, 3, 1)}) {
            both_ways(s, month, now);
        }
    }
}

//! How many facts the month read yields both ways.
std::pair<std::size_t, std::size_t> fact_counts(BillingScenario& s, std::int64_t now) {
    MonthWindow w;
    w.from = at(2026, 11, 1, 0);
    w.to = at(2026, 12, 1, 0);
    w.read_from = w.from;
    w.as_of = std::min(w.to, now);
    auto coarse = s.f.store->month_report_facts("acme", w);
    w.coarse = false;
    auto fine = s.f.store->month_report_facts("acme", w);
    REQUIRE(coarse.ok());
    REQUIRE(fine.ok());
    return {coarse->facts.heartbeats.size(), fine->facts.heartbeats.size()};
}

}  // namespace

TEST_CASE("whole-month facts: one per device where no cut splits the month") {
    Fleet fleet(7, 6);
    const auto [coarse, fine] = fact_counts(fleet.s, at(2026, 12, 5));
    CHECK(coarse == 6);  // November: 30 days, as_of its end, nothing else cuts it
    CHECK(fine > 6 * 20);
    // A month still running (as_of inside it) is read hour by hour.
    const auto running = fact_counts(fleet.s, at(2026, 11, 20));
    CHECK(running.first == running.second);
    both_ways(fleet.s, "2026-11", at(2026, 12, 5));
}

TEST_CASE("whole-month facts: the report equals the hourly one over randomized fleets") {
    const auto seed = GENERATE(1u, 2u, 3u);
    Fleet fleet(seed, 8);
    auto& s = fleet.s;
    SECTION("no cut") {
        compare_months(s);
    }
    SECTION("retirements inside and before November, admin assignments, merges") {
        REQUIRE(s.f.store->retire_device(s.id("d0"), "uninstall", at(2026, 11, 12, 7)).ok());
        REQUIRE(s.f.store->retire_device(s.id("d1"), "uninstall", at(2026, 10, 30)).ok());
        REQUIRE(
            s.f.store->assign_device_user(s.id("d2"), std::string("erin"), at(2026, 11, 3)).ok());
        REQUIRE(s.f.store->merge_users("acme", "bob", "carol", at(2026, 11, 25)).ok());
        const auto local = billing::user_key("dave", true, s.id("d3"));
        REQUIRE(s.f.store->merge_users("acme", local, "erin", at(2026, 11, 25)).ok());
        compare_months(s);
    }
    SECTION("a trial ending inside November, an inactive span in it") {
        auto t = s.settings();
        t.trial_end = at(2026, 11, 9, 13);
        s.save(t);
        compare_months(s);
        REQUIRE(
            billing::change_tenant_status(t, "inactive", {{"at", "2026-11-14"}}, at(2026, 11, 27))
                .ok());
        s.save(t);
        REQUIRE(billing::change_tenant_status(t, "active", {}, at(2026, 11, 27)).ok());
        s.save(t);
        compare_months(s);
    }
    SECTION("an inactive span around the whole of November") {
        auto t = s.settings();
        t.inactive_spans.push_back({at(2026, 10, 20), at(2026, 12, 3)});
        s.save(t);
        compare_months(s);
    }
    SECTION("zones: one without DST in November, one with") {
        auto t = s.settings();
        t.time_zone = GENERATE(as<std::string>{}, "Asia/Tokyo", "America/New_York");
        s.save(t);
        compare_months(s);
    }
    SECTION("counting devices by signal") {
        auto t = s.settings();
        t.count_devices_by = "signal";
        s.save(t);
        compare_months(s);
    }
}

}  // namespace tally::server::test

namespace tally::server::test {
namespace {

//! The month's report written from its rows made one at a time (usage_rows_from_rollups, what
//! the open month's downloads write) and from the whole report (build_usage_report_from_rollups
//! written through InMemoryRows, as before issue 20 part A2): the same bytes in every format.
void streamed_equals_whole(BillingScenario& s, const std::string& month, std::int64_t now) {
    auto whole = build_usage_report_from_rollups(*s.f.store, "acme", month, now);
    REQUIRE(whole.ok());
    UsageReport head;
    auto rows = usage_rows_from_rollups(*s.f.store, "acme", month, now, head);
    REQUIRE(rows.ok());
    CHECK((*rows)->device_count() == whole->devices.size());
    CHECK((*rows)->user_count() == whole->users.size());
    CHECK(head.devices.empty());
    for (const auto format : {UsageFormat::json, UsageFormat::csv, UsageFormat::xlsx}) {
        std::ostringstream a;
        std::ostringstream b;
        REQUIRE(write_usage(*whole, format, a).ok());
        REQUIRE(write_usage(head, **rows, format, b).ok());
        INFO("month " << month << " at " << now << ", format " << static_cast<int>(format));
        REQUIRE(a.str().size() > 100);
        REQUIRE(a.str() == b.str());
    }
}

}  // namespace

TEST_CASE("open month: rows written one at a time equal the whole report over randomized fleets") {
    const auto seed = GENERATE(4u, 5u);
    Fleet fleet(seed, 10);
    auto& s = fleet.s;
    REQUIRE(s.f.store->retire_device(s.id("d0"), "uninstall", at(2026, 11, 12, 7)).ok());
    REQUIRE(s.f.store->assign_device_user(s.id("d2"), std::string("erin"), at(2026, 11, 3)).ok());
    REQUIRE(s.f.store->merge_users("acme", "bob", "carol", at(2026, 11, 25)).ok());
    auto t = s.settings();
    t.trial_end = at(2026, 11, 9, 13);
    s.save(t);
    for (const auto* month : {"2026-10", "2026-11", "2026-12"}) {
        for (const auto now : {at(2026, 11, 20), at(2026, 12, 5), at(2027, 3, 1)}) {
            streamed_equals_whole(s, month, now);
        }
    }
}

}  // namespace tally::server::test
