// Month close (DESIGN.md §5 rule 7, server/report/month_close.h): the close instant in the
// tenant's zone (boundaries, DST), one snapshot per tenant-month however many try, the report
// of a closed month read from it byte for byte, unchanged by later edits, and late heartbeats
// beside the frozen bill, never in it.

#include <catch2/catch.hpp>

#include <atomic>
#include <sstream>
#include <thread>

#include "billing_fixture.h"
#include "server/report/month_close.h"
#include "server/report/month_snapshot_codec.h"
#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_output.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

const auto kNovCloses = at(2026, 12, 4, 0);  // Dec 1 00:00 UTC + 72 h (the default grace)

std::string json_of(BillingScenario& s, const std::string& month, std::int64_t now) {
    return usage_to_json(s.billed(month, now));
}

bool has_snapshot(BillingScenario& s, const std::string& month) {
    auto found = s.f.store->month_snapshot("acme", month);
    REQUIRE(found.ok());
    return found->has_value();
}

//! November and December of two users on two devices; alice in group "eng".
void two_months(BillingScenario& s) {
    s.device("laptop");
    s.device("desk");
    s.daily("laptop", at(2026, 11, 2), 5, "alice@corp", 5);
    s.daily("desk", at(2026, 11, 3), 3, "bob@corp", 4);
    s.daily("laptop", at(2026, 12, 2), 3, "alice@corp", 5);
    REQUIRE(s.f.store->add_group("acme", "eng", at(2026, 11, 1)).ok());
    REQUIRE(s.f.store->move_user_to_group("acme", "eng", "alice@corp", at(2026, 11, 1)).ok());
}

}  // namespace

TEST_CASE("a month closes exactly grace_hours after it ends in the tenant's zone",
          "[billing][month_close]") {
    BillingScenario s;
    s.device("a");
    s.beat("a", at(2026, 11, 10), 5, {user("alice", 5)});
    REQUIRE(month_closes_at(*s.f.store, "acme", "2026-11").value() == kNovCloses);

    // One second before: open, computed from the rollups, nothing frozen.
    CHECK_FALSE(close_month(*s.f.store, "acme", "2026-11", kNovCloses - 1).value());
    CHECK_FALSE(s.billed("2026-11", kNovCloses - 1).summary.closed);
    CHECK_FALSE(has_snapshot(s, "2026-11"));
    // At the instant: closed and frozen; a second close changes nothing.
    CHECK(close_month(*s.f.store, "acme", "2026-11", kNovCloses).value());
    CHECK(has_snapshot(s, "2026-11"));
    CHECK_FALSE(close_month(*s.f.store, "acme", "2026-11", kNovCloses + 3600).value());
    CHECK(s.billed("2026-11", kNovCloses).summary.closed);

    // Frozen once, closed for good: raising grace_hours afterwards does not reopen it.
    const auto frozen = usage_to_json(s.billed("2026-11", kNovCloses + 60));
    auto t = s.settings();
    t.grace_hours = 24 * 30;
    s.save(t);
    const auto after = s.billed("2026-11", kNovCloses + 120);
    CHECK(after.summary.closed);
    CHECK(usage_to_json(after) == frozen);

    // grace_hours 0: the month closes at its very end.
    t.grace_hours = 0;
    s.save(t);
    CHECK(month_closes_at(*s.f.store, "acme", "2026-12").value() == at(2027, 1, 1, 0));
    CHECK_FALSE(month_is_closed(*s.f.store, "acme", "2026-12", at(2026, 12, 31, 23)).value());
    CHECK(month_closes_at(*s.f.store, "acme", "2026-13").error().code == "bad_request");
    CHECK(month_closes_at(*s.f.store, "nobody", "2026-11").error().code == "not_found");
}

TEST_CASE("the close follows the tenant's zone across DST changes", "[billing][month_close]") {
    BillingScenario s;
    auto t = s.settings();
    t.time_zone = "Europe/Berlin";
    s.save(t);
    s.device("a");
    s.beat("a", at(2026, 10, 20), 5, {user("alice", 5)});
    // October 2026 ends on Nov 1 00:00 CET (UTC+1, summer time ended Oct 25): 23:00 UTC.
    const auto oct = at(2026, 10, 31, 23) + 72 * 3600;
    CHECK(month_closes_at(*s.f.store, "acme", "2026-10").value() == oct);
    CHECK_FALSE(close_month(*s.f.store, "acme", "2026-10", oct - 1).value());
    CHECK(close_month(*s.f.store, "acme", "2026-10", oct).value());
    // March 2027 ends on Apr 1 00:00 CEST (UTC+2, summer time began Mar 28): 22:00 UTC.
    CHECK(month_closes_at(*s.f.store, "acme", "2027-03").value() ==
          at(2027, 3, 31, 22) + 72 * 3600);
    // A heartbeat at 23:30 UTC on Oct 31 is November in Berlin: not in October's bill.
    s.beat("a", at(2026, 10, 31, 23, 30), 5, {user("bob", 5)});
    const auto frozen = s.billed("2026-10", oct + kDay);
    CHECK(frozen.summary.active_users == 1);
    CHECK(frozen.summary.late_adjustments == 0);
}

TEST_CASE("one snapshot per tenant-month however many servers close it at once",
          "[billing][month_close]") {
    BillingScenario s;
    two_months(s);
    // A second store on the same file: a second server.
    auto other = SqliteStore::open((s.f.dir.path() / "tally.db").string());
    REQUIRE(other.ok());
    std::atomic<int> made{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        Store* store = i % 2 == 0 ? static_cast<Store*>(s.f.store.get()) : other->get();
        threads.emplace_back([&made, &failed, store, i] {
            auto r = close_month(*store, "acme", "2026-11", kNovCloses + i);
            if (!r.ok()) {
                ++failed;
            } else if (*r) {
                ++made;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(failed == 0);
    CHECK(made == 1);
    // Both servers read the one stored.
    const auto mine = build_usage_report(*s.f.store, "acme", "2026-11", kNovCloses + kDay);
    const auto theirs = build_usage_report(**other, "acme", "2026-11", kNovCloses + 2 * kDay);
    REQUIRE(mine.ok());
    REQUIRE(theirs.ok());
    CHECK(usage_to_json(*mine) == usage_to_json(*theirs));
}

TEST_CASE(
    "the report of a closed month read from its snapshot is the report the rollups gave "
    "at the close, byte for byte",
    "[billing][month_close]") {
    BillingScenario s;
    two_months(s);
    const auto when = kNovCloses + 600;
    auto live = build_usage_report_from_rollups(*s.f.store, "acme", "2026-11", when);
    REQUIRE(live.ok());
    REQUIRE(close_month(*s.f.store, "acme", "2026-11", when).value());
    const auto frozen = s.billed("2026-11", when + 30 * kDay);
    CHECK(frozen.summary.closed);
    CHECK(frozen.generated_at == when);  // the bill was made then
    CHECK(usage_to_json(frozen) == usage_to_json(*live));
    CHECK(usage_to_csv(frozen) == usage_to_csv(*live));
    CHECK(frozen.summary.billable_units == 2);
}

TEST_CASE(
    "edits after the close leave the closed month's report unchanged and change the open "
    "month's",
    "[billing][month_close]") {
    BillingScenario s;
    two_months(s);
    const auto dec_now = at(2026, 12, 20);
    // The periodic job closes November (and only November: December is open).
    REQUIRE(close_due_months(*s.f.store, kNovCloses + 60).value() == 1);
    REQUIRE(close_due_months(*s.f.store, kNovCloses + 120).value() == 0);
    const auto nov_before = json_of(s, "2026-11", dec_now);
    const auto dec_before = json_of(s, "2026-12", dec_now);

    // Group, subscription and device type change after the close.
    REQUIRE(s.f.store->add_group("acme", "sales", dec_now).ok());
    REQUIRE(s.f.store->attach_subscription("acme", "sales", "CorePlus", dec_now).ok());
    REQUIRE(s.f.store->move_user_to_group("acme", "sales", "alice@corp", dec_now).ok());
    REQUIRE(s.f.store->set_device_type(s.id("laptop"), "personal", dec_now).ok());
    // And two that no history dates: a merge of users and the tenant's default package.
    REQUIRE(s.f.store->merge_users("acme", "bob@corp", "alice@corp", dec_now).ok());
    auto t = s.settings();
    t.default_package = "Basic";
    s.save(t);
    const auto later = dec_now + 3600;
    CHECK(json_of(s, "2026-11", later) == nov_before);
    // Without the snapshot, November would have changed (the test can fail).
    auto recomputed =
        build_usage_report_from_rollups(*s.f.store, "acme", "2026-11", kNovCloses + 60);
    REQUIRE(recomputed.ok());
    CHECK(usage_to_json(*recomputed) != nov_before);
    CHECK(recomputed->summary.active_users == 1);
    const auto dec_after = s.billed("2026-12", later);
    CHECK(usage_to_json(dec_after) != dec_before);
    CHECK(s.user(dec_after, "alice@corp")->package == "CorePlus");
    CHECK(s.row(dec_after, "laptop").usage.device.facts.device_type == "personal");
}

TEST_CASE("a heartbeat received after the close is a late adjustment beside the frozen bill",
          "[billing][month_close]") {
    BillingScenario s;
    two_months(s);
    REQUIRE(close_due_months(*s.f.store, kNovCloses).value() == 1);
    const auto before = s.billed("2026-11", kNovCloses + kDay);
    CHECK(before.summary.late_adjustments == 0);
    CHECK(before.late.empty());

    // carol on a new device, a November heartbeat received a day after the close.
    s.device("kiosk");
    s.beat("kiosk", at(2026, 11, 30, 20), 5, {user("carol@corp", 5)}, kNovCloses + kDay);
    const auto after = s.billed("2026-11", kNovCloses + 2 * kDay);
    CHECK(after.summary.billable_units == before.summary.billable_units);
    CHECK(after.summary.active_users == before.summary.active_users);
    CHECK(after.devices.size() == before.devices.size());  // the frozen device list
    CHECK(after.summary.late_adjustments == 1);
    CHECK(after.summary.late_units_delta == 1);
    REQUIRE(after.late.size() == 1);
    CHECK(after.late[0].device_id == s.id("kiosk"));
    CHECK(after.late[0].users == std::vector<std::string>{"carol@corp"});
    // The frozen part is the same bytes: only the late part differs.
    auto without_late = after;
    without_late.late.clear();
    without_late.summary.late_adjustments = 0;
    without_late.summary.late_units_delta = 0;
    CHECK(usage_to_json(without_late) == usage_to_json(before));
}

TEST_CASE("a month snapshot decodes to the report it was made of and refuses damage",
          "[billing][month_close]") {
    BillingScenario s;
    two_months(s);
    auto live = build_usage_report_from_rollups(*s.f.store, "acme", "2026-11", kNovCloses);
    REQUIRE(live.ok());
    const auto body = encode_month_snapshot(*live);
    auto back = decode_month_snapshot(body);
    REQUIRE(back.ok());
    CHECK(usage_to_json(*back) == usage_to_json(*live));
    CHECK(back->devices[0].usage.device.public_key == live->devices[0].usage.device.public_key);
    // Written row by row from the snapshot (the CLI's way): the same bytes in every format.
    UsageReport head;
    auto rows = SnapshotRows::open(body, head);
    REQUIRE(rows.ok());
    CHECK(head.devices.empty());
    CHECK((*rows)->device_count() == live->devices.size());
    for (const auto format : {UsageFormat::json, UsageFormat::csv}) {
        std::ostringstream streamed;
        std::ostringstream whole;
        REQUIRE(write_usage(head, **rows, format, streamed).ok());
        REQUIRE(write_usage(*live, format, whole).ok());
        CHECK(streamed.str() == whole.str());
    }
    for (const auto& bad : {std::string(), std::string("TMS1"), body.substr(0, body.size() / 2),
                            std::string("XXXX") + body.substr(4)}) {
        CHECK(decode_month_snapshot(bad).error().code == "db");
    }
    // A snapshot of another format version is refused by the report, never misread.
    REQUIRE(s.f.store->put_month_snapshot("acme", {"2026-11", kNovCloses, 99, body}).value());
    CHECK(build_usage_report(*s.f.store, "acme", "2026-11", kNovCloses).error().code == "db");
}

TEST_CASE("a snapshot damaged in its last row part: every format fails, nothing written",
          "[billing][month_close]") {
    BillingScenario s;
    two_months(s);
    auto live = build_usage_report_from_rollups(*s.f.store, "acme", "2026-11", kNovCloses);
    REQUIRE(live.ok());
    auto body = encode_month_snapshot(*live);
    // The body's last byte is the users part's zlib checksum: found only once every row has
    // been decoded, i.e. after the XLSX writer (which does not check first) wrote them all.
    body.back() = static_cast<char>(body.back() ^ 0x5a);
    UsageReport head;
    auto rows = SnapshotRows::open(body, head);
    REQUIRE(rows.ok());  // the head part is whole; the rows are checked when read
    CHECK((*rows)->check().error().code == "db");
    for (const auto format : {UsageFormat::json, UsageFormat::csv, UsageFormat::xlsx}) {
        std::ostringstream out;
        auto written = write_usage(head, **rows, format, out);
        REQUIRE_FALSE(written.ok());
        CHECK(written.error().code == "db");
        CHECK(out.str().empty());
    }
    CHECK(decode_month_snapshot(body).error().code == "db");
    // The same snapshot whole is written in every format.
    UsageReport whole_head;
    auto whole = SnapshotRows::open(encode_month_snapshot(*live), whole_head);
    REQUIRE(whole.ok());
    REQUIRE((*whole)->check().ok());
    std::ostringstream xlsx;
    REQUIRE(write_usage(whole_head, **whole, UsageFormat::xlsx, xlsx).ok());
    CHECK(xlsx.str().substr(0, 2) == "PK");
}
