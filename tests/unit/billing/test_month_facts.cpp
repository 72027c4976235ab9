// Whole-month facts (server/store/month_facts.h): the usage report computed from one fact per
// device-month where no cut splits it equals, byte for byte in JSON, the report computed from
// the hourly buckets, over randomized fleets with every kind of cut (trial end, inactivation,
// inactive spans, retirement inside the month, late heartbeats of a closed month, merges,
// admin assignments, a zone with DST changes); and months the primary user's trailing window
// splits (31-day months, the month in progress, DST months, leap February) read as their
// untrailed parts hour by hour plus one fact for the rest, in four zones.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>

#include "billing_fixture.h"
#include "server/billing/tenant_policy.h"
#include "server/billing/time_zone.h"
#include "server/billing/user_key.h"
#include "server/report/usage_json.h"
#include "server/report/usage_output.h"
#include "server/store/month_facts.h"

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

//! A random fleet of `devices` devices uploading from October to mid-December 2026 (or from
//! `first` + up to 20 days to `last`), with late heartbeats (`late`).
struct Fleet {
    Fleet(std::uint32_t seed, int devices, std::int64_t first = at(2026, 10, 1),
          std::int64_t last = at(2026, 12, 20), bool late = true)
        : rng(seed), with_late(late) {
        for (int i = 0; i < devices; ++i) {
            names.push_back("d" + std::to_string(i));
            upload_all(s.device(names.back(), pick(3) == 0 ? "personal" : "business"), first, last);
        }
    }

    void upload_all(TestDevice& dev, std::int64_t first, std::int64_t last) {
        static const char* const kPeople[] = {"alice", "Alice", "bob", "carol", "dave", "erin"};
        std::int64_t end = first + pick(20) * kDay + pick(86400);
        std::vector<std::string> batch;
        while (end < last) {
            std::vector<pairing::UserActivity> users;
            const auto first = pick(6);
            for (std::uint32_t u = 0, n = pick(3); u < n; ++u) {  // distinct principals
                users.push_back(user(kPeople[(first + u) % 6], pick(6), pick(5) == 0));
            }
            batch.push_back(dev.next_heartbeat(end, pick(6), std::move(users)));
            // Now and then one received long after November's close (a late heartbeat).
            const bool late =
                with_late && end > at(2026, 11, 20) && end < at(2026, 12, 1) && pick(30) == 0;
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
    bool with_late = true;  //!< some heartbeats of late November received after its close
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

//! The window usage_report.cpp reads for `month` at `now` in the tenant's zone.
MonthWindow window_of(BillingScenario& s, const std::string& month, std::int64_t now) {
    const auto settings = s.settings();
    auto tz = billing::TimeZone::load(settings.time_zone);
    REQUIRE(tz.ok());
    const auto range = tz->month_range(month);
    REQUIRE(range);
    MonthWindow w;
    w.from = range->first;
    w.to = range->second;
    w.as_of = std::min(w.to, now);
    w.read_from = std::max(w.from - billing::kPrimaryWindowSeconds,
                           std::min(w.from, w.as_of - billing::kPrimaryWindowSeconds));
    if (now >= w.to + settings.grace_hours * 3600) {
        w.received_before = w.to + settings.grace_hours * 3600;
    }
    return w;
}

//! Checks that the month read at `now` took the coarse path for every device: besides the
//! hourly facts of the partial days read hour by hour (the edges of the month's parts outside
//! the trailing window and of the window's part before the month), at most one fact per device
//! for the rest of its month and one per run of whole days. Returns the fact counts.
std::pair<std::size_t, std::size_t> check_coarse(BillingScenario& s, const std::string& month,
                                                 std::int64_t now) {
    auto w = window_of(s, month, now);
    auto coarse = s.f.store->month_report_facts("acme", w);
    w.coarse = false;
    auto fine = s.f.store->month_report_facts("acme", w);
    REQUIRE(coarse.ok());
    REQUIRE(fine.ok());
    auto tz = billing::TimeZone::load(s.settings().time_zone);
    REQUIRE(tz.ok());
    std::vector<TimeRange> hourly_ranges;
    std::size_t runs = 0;
    auto parts = untrailed_parts(w);
    if (w.read_from < w.from) {
        parts.push_back({w.read_from, w.from});
    }
    for (const auto& part : parts) {
        const auto rr = split_days(*tz, part);
        hourly_ranges.insert(hourly_ranges.end(), rr.hourly.begin(), rr.hourly.end());
        runs += rr.days ? 1 : 0;
    }
    std::size_t hourly = 0;
    std::set<std::uint32_t> devices;
    for (const auto& h : fine->facts.heartbeats) {
        const auto in = [&](const TimeRange& r) { return h.start >= r.from && h.start < r.to; };
        hourly += std::any_of(hourly_ranges.begin(), hourly_ranges.end(), in) ? 1 : 0;
        devices.insert(h.device);
    }
    INFO("month " << month << " at " << now);
    CHECK(coarse->facts.heartbeats.size() <= hourly + devices.size() * (1 + runs));
    CHECK(coarse->facts.heartbeats.size() >= hourly);
    return {coarse->facts.heartbeats.size(), fine->facts.heartbeats.size()};
}

//! The instants a month is reported at: its first second, day 2, mid-month, its last hour, its
//! end (open), closed, long after.
std::vector<std::int64_t> instants_of(BillingScenario& s, const std::string& month) {
    const auto w = window_of(s, month, 0);
    return {w.from,      w.from + 1, w.from + kDay + 3600, w.from + 15 * kDay + 1234,
            w.to - 1800, w.to,       w.to + 5 * kDay,      w.to + 45 * kDay};
}

}  // namespace

TEST_CASE("whole-month facts: one per device where no cut splits the month") {
    Fleet fleet(7, 6);
    const auto [coarse, fine] = fact_counts(fleet.s, at(2026, 12, 5));
    CHECK(coarse == 6);  // November: 30 days, as_of its end, nothing else cuts it
    CHECK(fine > 6 * 20);
    // A month still running (as_of inside it): the part after as_of hour by hour, the rest one
    // fact per device.
    const auto running = check_coarse(fleet.s, "2026-11", at(2026, 11, 20));
    CHECK(running.first < running.second);
    both_ways(fleet.s, "2026-11", at(2026, 12, 5));
}

TEST_CASE("split months: 31-day months and the month in progress take the coarse path") {
    Fleet fleet(11, 6, at(2026, 11, 20), at(2027, 1, 5), false);
    auto& s = fleet.s;
    // December after its end: only its first day (before as_of - 30 days) hour by hour.
    const auto closed = check_coarse(s, "2026-12", at(2027, 1, 20));
    CHECK(closed.first * 10 < closed.second);
    // December in progress: the month up to now is one fact per device (the fleet's uploads
    // after now, hour by hour).
    for (const auto now : {at(2026, 12, 1, 0), at(2026, 12, 4), at(2026, 12, 31, 23)}) {
        check_coarse(s, "2026-12", now);
        both_ways(s, "2026-12", now);
    }
    both_ways(s, "2026-12", at(2027, 1, 20));
}

TEST_CASE("split months: the report equals the hourly one in every zone, DST and leap months") {
    const auto seed = GENERATE(4u, 5u);
    const auto zone =
        GENERATE(as<std::string>{}, "UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo");
    struct Period {
        std::int64_t first;
        std::int64_t last;
        std::vector<std::string> months;
    };
    const auto period =
        GENERATE(Period{at(2026, 9, 25), at(2027, 1, 10), {"2026-10", "2026-11", "2026-12"}},
                 Period{at(2028, 1, 20), at(2028, 4, 5), {"2028-02", "2028-03"}});
    Fleet fleet(seed, 6, period.first, period.last, false);
    auto& s = fleet.s;
    auto t = s.settings();
    t.time_zone = zone;
    s.save(t);
    INFO("zone " << zone);
    for (const auto& month : period.months) {
        for (const auto now : instants_of(s, month)) {
            both_ways(s, month, now);
            check_coarse(s, month, now);
        }
    }
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
