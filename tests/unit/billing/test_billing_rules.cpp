// The billing rules of DESIGN.md §5 as a scenario table: each row builds its data through
// real pairing and signed uploads with explicit times, then checks the month's report.

#include <catch2/catch.hpp>

#include <functional>

#include "billing_fixture.h"
#include "server/billing/tenant_policy.h"
#include "server/billing/tenant_status.h"

using namespace tally::server;
using namespace tally::server::test;
using billing::BilledAs;

namespace {

const auto kNov1 = at(2026, 11, 1, 0);
const auto kDec1 = at(2026, 12, 1, 0);
const auto kLate = at(2026, 12, 10);  // November is closed (Dec 4 00:00 + nothing pending)

struct Scenario {
    const char* name;
    std::function<void(BillingScenario&)> run;
};

const std::vector<Scenario> kScenarios = {
    {"one user with a business and three personal devices: the least used personal one is "
     "overflow (a standalone unit in the user's package)",
     [](BillingScenario& s) {
         s.device("laptop");
         for (const char* p : {"phone", "tablet", "home-pc"}) {
             s.device(p, "personal");
         }
         s.daily("laptop", at(2026, 11, 2), 5, "alice@corp", 5);
         s.daily("phone", at(2026, 11, 2), 4, "Alice@Corp", 5);  // same person, other case
         s.daily("tablet", at(2026, 11, 2), 3, "alice@corp", 5);
         s.daily("home-pc", at(2026, 11, 2), 2, "alice@corp", 5);
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.active_users == 1);
         CHECK(r.summary.active_devices == 4);
         CHECK(r.summary.standalone_devices == 1);
         CHECK(r.summary.overflow_devices == 1);
         CHECK(r.summary.billable_units == 2);
         CHECK(s.row(r, "laptop").billing.billed_as == BilledAs::kUserCovered);
         CHECK(s.row(r, "phone").billing.billed_as == BilledAs::kUserCovered);
         CHECK(s.row(r, "tablet").billing.billed_as == BilledAs::kUserCovered);
         CHECK(s.row(r, "home-pc").billing.billed_as == BilledAs::kOverflow);
         CHECK(s.row(r, "home-pc").billing.package == "Core");
         const auto* alice = s.user(r, "Alice@Corp");
         REQUIRE(alice != nullptr);
         CHECK(alice->devices_paired.size() == 3);
         CHECK(alice->active_days == 5);
     }},
    {"a second business device of the same user is overflow",
     [](BillingScenario& s) {
         s.device("a");
         s.device("b");
         s.daily("a", at(2026, 11, 2), 3, "bob", 5);
         s.daily("b", at(2026, 11, 2), 1, "bob", 5);
         const auto r = s.report("2026-11", kLate);
         CHECK(s.row(r, "a").billing.billed_as == BilledAs::kUserCovered);
         CHECK(s.row(r, "b").billing.billed_as == BilledAs::kOverflow);
         CHECK(r.summary.billable_units == 2);
     }},
    {"an active device without a user (server role) is standalone; an idle one is not active",
     [](BillingScenario& s) {
         s.device("srv", "business", "server");
         s.device("idle");
         s.beat("srv", at(2026, 11, 3), 5);
         s.beat("idle", at(2026, 11, 3), 0, {user("carol", 0)});
         const auto r = s.report("2026-11", kLate);
         CHECK(s.row(r, "srv").billing.billed_as == BilledAs::kStandalone);
         CHECK(s.row(r, "idle").billing.billed_as == BilledAs::kNotActive);
         CHECK(r.summary.active_users == 0);
         CHECK(r.summary.billable_units == 1);
     }},
    {"count_devices_by signal: any accepted heartbeat makes the device active",
     [](BillingScenario& s) {
         auto t = s.settings();
         t.count_devices_by = "signal";
         s.save(t);
         s.device("kiosk", "business", "kiosk");
         s.beat("kiosk", at(2026, 11, 3), 0);
         const auto r = s.report("2026-11", kLate);
         CHECK(s.row(r, "kiosk").active);
         CHECK(s.row(r, "kiosk").billing.billed_as == BilledAs::kStandalone);
         CHECK(r.summary.billable_units == 1);
     }},
    {"a device whose primary user changes mid-month: trailing 30 days at the month's end, "
     "and an admin assignment wins",
     [](BillingScenario& s) {
         s.device("shared");
         s.device("bobs");
         s.daily("shared", at(2026, 10, 20), 12, "alice", 5);  // Oct 20 .. Oct 31
         s.daily("shared", at(2026, 11, 16), 10, "bob", 5);    // Nov 16 .. Nov 25
         s.daily("bobs", at(2026, 11, 16), 10, "bob", 5);
         const auto oct = s.report("2026-10", at(2026, 11, 10));
         CHECK(s.row(oct, "shared").billing.paired_user == "alice");
         CHECK(s.row(oct, "shared").billing.paired_by == "activity");
         const auto nov = s.report("2026-11", kLate);
         CHECK(s.row(nov, "shared").billing.paired_user == "bob");
         // bob: one business device covered; the second business device is overflow.
         CHECK(nov.summary.overflow_devices == 1);
         REQUIRE(s.f.store->assign_device_user(s.id("shared"), "carol", at(2026, 11, 20)).ok());
         const auto assigned = s.report("2026-11", kLate);
         CHECK(s.row(assigned, "shared").billing.paired_by == "admin");
         CHECK(s.row(assigned, "shared").billing.paired_user == "carol");
         // carol is not an active user: bob, active on it, would cover it, but his business
         // allowance goes to his own device first: the shared one is overflow.
         CHECK(s.row(assigned, "shared").billing.billed_as == BilledAs::kOverflow);
         CHECK(s.row(assigned, "bobs").billing.billed_as == BilledAs::kUserCovered);
         CHECK(assigned.summary.billable_units == 2);
         // The assignment is dated: October (judged on Nov 1) is unchanged.
         CHECK(s.row(s.report("2026-10", kLate), "shared").billing.paired_user == "alice");
     }},
    {"a trial ending on the 15th: usage before it is reported, not billed; the status turns "
     "active on the date without a job",
     [](BillingScenario& s) {
         auto t = s.settings();
         t.trial_end = at(2026, 11, 15, 0);
         s.save(t);
         CHECK(billing::effective_status(t, at(2026, 11, 14, 23, 59)) == "in_trial");
         CHECK(billing::effective_status(t, at(2026, 11, 15, 0)) == "active");
         s.device("a");
         s.device("b");
         s.beat("a", at(2026, 11, 3), 5, {user("alice", 5)});
         s.beat("b", at(2026, 11, 14, 23, 50), 5, {user("bob", 5)});
         s.beat("b", at(2026, 11, 20), 5, {user("bob", 5)});
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.trial);
         CHECK(r.summary.active_users == 2);
         CHECK(r.summary.reported_units == 2);
         CHECK(r.summary.billable_units == 1);  // bob, active after the trial
         CHECK(r.summary.billable_from == at(2026, 11, 15, 0));
         const auto oct = s.report("2026-10", kLate);
         CHECK(oct.summary.trial);
         CHECK(oct.summary.billable_units == 0);
         CHECK_FALSE(s.report("2026-12", kLate).summary.trial);
     }},
    {"a trial ending mid-hour: the hour's heartbeats before it are not billed, those after "
     "are (billing's rollup buckets are cut at the trial end at ingest)",
     [](BillingScenario& s) {
         auto t = s.settings();
         t.trial_end = at(2026, 11, 15, 10, 30);
         s.save(t);
         s.device("a");
         s.beat("a", at(2026, 11, 15, 10, 25), 5, {user("alice", 5)});  // starts 10:20
         s.beat("a", at(2026, 11, 15, 10, 40), 5, {user("bob", 5)});    // starts 10:35
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.active_users == 2);
         CHECK(r.summary.billable_units == 1);  // bob only
         CHECK(s.row(r, "a").usage.heartbeats == 2);
         CHECK(s.row(r, "a").usage.active_minutes == 10);
     }},
    {"a trial end set mid-hour after that hour's heartbeats arrived: the buckets are recut",
     [](BillingScenario& s) {
         s.device("a");
         s.beat("a", at(2026, 11, 15, 10, 25), 5, {user("alice", 5)});
         s.beat("a", at(2026, 11, 15, 10, 40), 5, {user("bob", 5)});
         CHECK(s.report("2026-11", kLate).summary.billable_units == 2);
         auto t = s.settings();
         t.trial_end = at(2026, 11, 15, 10, 30);
         s.save(t);
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.billable_units == 1);
         REQUIRE(r.summary.packages.size() == 1);
         CHECK(r.summary.packages[0].active_users == 1);
         CHECK(s.user(r, "bob") != nullptr);
         CHECK(s.user(r, "bob")->first_seen == at(2026, 11, 15, 10, 35));  // its own start
     }},
    {"a device retired mid-hour after that hour's heartbeats arrived: its buckets are recut",
     [](BillingScenario& s) {
         s.device("a");
         s.beat("a", at(2026, 11, 15, 10, 25), 5, {user("alice", 5)});  // starts 10:20
         s.beat("a", at(2026, 11, 15, 10, 40), 5, {user("bob", 5)});    // starts 10:35
         REQUIRE(s.f.store->retire_device(s.id("a"), "uninstall", at(2026, 11, 15, 10, 30)).ok());
         const auto r = s.report("2026-11", kLate);
         CHECK(s.row(r, "a").usage.heartbeats == 1);
         CHECK(s.row(r, "a").usage.active_minutes == 5);
         CHECK(r.summary.active_users == 1);
         CHECK(s.user(r, "bob") == nullptr);
     }},
    {"a tenant inactivated on the 20th: not billed from then on, its agents refused",
     [](BillingScenario& s) {
         s.device("a");
         s.device("b");
         s.beat("a", at(2026, 11, 10), 5, {user("alice", 5)});
         s.beat("b", at(2026, 11, 25), 5, {user("bob", 5)});
         auto t = s.settings();
         REQUIRE(
             billing::change_tenant_status(t, "inactive", {{"at", "2026-11-20"}}, at(2026, 11, 27))
                 .ok());
         s.save(t);
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.tenant_status == "inactive");
         CHECK(r.summary.active_users == 2);    // reported
         CHECK(r.summary.billable_units == 1);  // alice only
         CHECK(r.summary.billable_to == at(2026, 11, 20, 0));
         CHECK(s.report("2026-12", kLate).summary.billable_units == 0);
     }},
    {"issue 14 case 1: a device retired mid-month keeps the activity before its retirement; "
     "nothing after it counts, and a device retired before the month is not billed",
     [](BillingScenario& s) {
         s.device("old");
         s.device("new");
         s.device("gone");
         s.beat("gone", at(2026, 10, 20), 5, {user("fay", 5)});
         s.beat("old", at(2026, 10, 20), 5, {user("dave", 5)});
         s.beat("old", at(2026, 11, 5), 5, {user("dave", 5)});
         s.beat("old", at(2026, 11, 12), 5, {user("zed", 5)});  // after the retirement below
         s.beat("new", at(2026, 11, 5), 5, {user("erin", 5)});
         REQUIRE(s.f.store->retire_device(s.id("gone"), "uninstall", at(2026, 10, 25)).ok());
         REQUIRE(s.f.store->retire_device(s.id("old"), "uninstall", at(2026, 11, 10)).ok());
         const auto r = s.report("2026-11", kLate);
         // By hand: dave (covers old) + erin (covers new) = 2 units; zed's session came
         // after the retirement, fay's device was retired in October.
         CHECK(r.summary.billable_units == 2);
         CHECK(r.summary.active_users == 2);
         CHECK(r.summary.standalone_devices == 0);
         const auto& old = s.row(r, "old");
         CHECK(old.active);
         CHECK(old.billing.billed_as == BilledAs::kUserCovered);
         CHECK(old.billing.covered_by == "dave");
         CHECK(old.billing.retired_at == at(2026, 11, 10));
         CHECK(old.usage.heartbeats == 1);
         CHECK(old.explanation.find("retired on 2026-11-10T12:00:00Z, activity before it "
                                    "counts; covered by the license of dave") == 0);
         CHECK(s.user(r, "zed") == nullptr);
         CHECK(s.row(r, "gone").billing.billed_as == BilledAs::kRetired);
         CHECK_FALSE(s.row(r, "gone").active);
         const auto oct = s.report("2026-10", kLate);
         CHECK(s.row(oct, "old").billing.billed_as == BilledAs::kUserCovered);
         CHECK(s.row(oct, "gone").billing.billed_as == BilledAs::kUserCovered);
         CHECK(oct.summary.billable_units == 2);
     }},
    {"issue 14 case 2: an inactive span stays unbilled after reactivation, whenever its "
     "heartbeats arrive; kept and reported as not billed",
     [](BillingScenario& s) {
         s.device("desk");
         s.device("cart");
         s.beat("desk", at(2026, 11, 5), 5, {user("bob", 5)});
         auto t = s.settings();
         REQUIRE(
             billing::change_tenant_status(t, "inactive", {{"at", "2026-11-10"}}, at(2026, 11, 10))
                 .ok());
         s.save(t);
         t = s.settings();
         REQUIRE(
             billing::change_tenant_status(t, "active", {{"at", "2026-11-20"}}, at(2026, 11, 20))
                 .ok());
         s.save(t);
         REQUIRE(s.settings().inactive_spans.size() == 1);  // stored
         CHECK(s.settings().inactive_spans[0].since == at(2026, 11, 10, 0));
         CHECK(s.settings().inactive_spans[0].until == at(2026, 11, 20, 0));
         // Spooled while refused, uploaded after the reactivation.
         s.beat("cart", at(2026, 11, 9, 23, 59), 5, {user("carol", 5)}, at(2026, 11, 21));
         for (unsigned day : {12u, 13u, 14u}) {
             s.beat("cart", at(2026, 11, day), 5, {user("carol", 5)}, at(2026, 11, 21));
         }
         const auto r = s.report("2026-11", kLate);
         // By hand: bob + carol (active Nov 9, before the span) = 2; carol's span minutes
         // add nothing billed. Without the Nov 9 beat carol would not be billed at all.
         CHECK(r.summary.billable_units == 2);
         CHECK(r.summary.inactive_span_heartbeats == 3);
         REQUIRE(r.summary.inactive_spans.size() == 1);
         CHECK(r.summary.inactive_spans[0].from == at(2026, 11, 10, 0));
         CHECK(s.row(r, "cart").inactive_span_heartbeats == 3);
         CHECK(s.row(r, "cart").explanation.find("3 heartbeat(s) sent while the tenant was "
                                                 "inactive are kept as evidence, not billed") !=
               std::string::npos);
         CHECK(s.row(r, "desk").inactive_span_heartbeats == 0);
     }},
    {"issue 14 case 2: a user active only inside the inactive span is not billed",
     [](BillingScenario& s) {
         s.device("desk");
         s.device("cart");
         s.beat("desk", at(2026, 11, 5), 5, {user("bob", 5)});
         auto t = s.settings();
         REQUIRE(
             billing::change_tenant_status(t, "inactive", {{"at", "2026-11-10"}}, at(2026, 11, 10))
                 .ok());
         REQUIRE(
             billing::change_tenant_status(t, "active", {{"at", "2026-11-20"}}, at(2026, 11, 20))
                 .ok());
         s.save(t);
         s.beat("cart", at(2026, 11, 12), 5, {user("carol", 5)}, at(2026, 11, 21));
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.billable_units == 1);  // bob
         CHECK(r.summary.reported_units == 2);  // carol shown, not billed
         CHECK(r.summary.packages.at(0).billable_units == 1);
         // Inactive again now: the current span runs to the month's end, too.
         REQUIRE(
             billing::change_tenant_status(t, "inactive", {{"at", "2026-11-25"}}, at(2026, 11, 25))
                 .ok());
         s.save(t);
         const auto again = s.report("2026-11", kLate);
         CHECK(again.summary.billable_units == 1);
         CHECK(again.summary.inactive_spans.size() == 2);
     }},
    {"issue 14 case 3: a laptop whose primary user is not active this month is covered by "
     "the active user on it, never billed twice",
     [](BillingScenario& s) {
         s.device("shared");
         s.daily("shared", at(2026, 10, 20), 10, "dave", 5);  // Oct 20..29: dave, 50 min
         s.beat("shared", at(2026, 11, 2), 5, {user("erin", 5)});
         const auto r = s.report("2026-11", at(2026, 11, 5));
         // By hand: dave has most minutes over the trailing 30 days (Oct 6 - Nov 5) but is
         // not active in November; erin is, and her license covers the laptop: 1 unit.
         const auto& row = s.row(r, "shared");
         CHECK(row.billing.paired_user == "dave");
         CHECK_FALSE(row.billing.primary_user_active);
         CHECK(row.billing.billed_as == BilledAs::kUserCovered);
         CHECK(row.billing.covered_by == "erin");
         CHECK(row.billing.coverage == billing::Coverage::kOtherUser);
         CHECK(r.summary.billable_units == 1);
         CHECK(r.summary.standalone_devices == 0);
         CHECK(s.user(r, "erin")->devices_paired == std::vector<std::string>{s.id("shared")});
         CHECK(row.explanation ==
               "covered by the license of erin, active on it this month; its primary user dave "
               "is not active this month");
     }},
    {"issue 14 case 3: another user covers only with allowance left (most active first); "
     "else the device is overflow in that user's package",
     [](BillingScenario& s) {
         s.device("erins");
         s.device("shared");
         s.device("tab", "personal");
         s.daily("shared", at(2026, 10, 20), 10, "dave", 5);
         s.daily("tab", at(2026, 10, 20), 10, "dave", 5);
         s.daily("erins", at(2026, 11, 1), 3, "erin", 5);  // erin's own laptop, 15 min
         s.beat("shared", at(2026, 11, 2), 5, {user("erin", 4), user("finn", 2)});
         s.beat("tab", at(2026, 11, 2), 5, {user("erin", 5)});
         const auto r = s.report("2026-11", at(2026, 11, 5));
         // erin: her business allowance covers her own laptop (primary), then the shared
         // laptop goes to finn (next most active on it); the personal tablet is erin's.
         CHECK(s.row(r, "erins").billing.covered_by == "erin");
         CHECK(s.row(r, "shared").billing.covered_by == "finn");
         CHECK(s.row(r, "tab").billing.covered_by == "erin");
         CHECK(r.summary.billable_units == 2);  // erin + finn
         s.beat("shared", at(2026, 11, 3), 5, {user("erin", 5)});
         const auto more = s.report("2026-11", at(2026, 11, 5));
         CHECK(s.row(more, "shared").billing.covered_by == "finn");  // erin's allowance is used
         auto t = s.settings();
         t.default_package = "Core+";
         s.save(t);
         s.device("lab");
         s.beat("lab", at(2026, 11, 3), 5, {user("erin", 5)});
         const auto over = s.report("2026-11", at(2026, 11, 5));
         CHECK(s.row(over, "lab").billing.billed_as == BilledAs::kOverflow);
         CHECK(s.row(over, "lab").explanation.find("every user active on it (erin)") !=
               std::string::npos);
         CHECK(over.summary.billable_units == 3);
     }},
    {"a group with Core+ and a user moved between groups: newest attachment wins, the move "
     "counts from its date, users without a group get the tenant default",
     [](BillingScenario& s) {
         auto& st = *s.f.store;
         REQUIRE(st.add_group("acme", "eng", at(2026, 10, 1)).ok());
         REQUIRE(st.add_group("ops", "ops", 0).error().code == "not_found");
         REQUIRE(st.add_group("acme", "ops", at(2026, 10, 1)).ok());
         REQUIRE(st.attach_subscription("acme", "eng", "Core", at(2026, 10, 1)).ok());
         REQUIRE(st.attach_subscription("acme", "eng", "Core+", at(2026, 10, 2)).ok());
         REQUIRE(st.attach_subscription("acme", "ops", "Pro", at(2026, 10, 2)).ok());
         REQUIRE(st.attach_subscription("acme", "ops", "Basic", at(2026, 12, 2)).ok());
         REQUIRE(st.move_user_to_group("acme", "eng", "alice", at(2026, 10, 3)).ok());
         REQUIRE(st.move_user_to_group("acme", "ops", "alice", at(2026, 12, 1, 12)).ok());
         s.device("a");
         s.device("b");
         s.device("srv", "business", "server");
         s.beat("a", at(2026, 11, 5), 5, {user("Alice", 5)});
         s.beat("b", at(2026, 11, 5), 5, {user("bob", 5)});
         s.beat("srv", at(2026, 11, 5), 5);
         const auto nov = s.report("2026-11", kLate);
         CHECK(s.user(nov, "Alice")->package == "Core+");
         CHECK(s.user(nov, "Alice")->group == "eng");
         CHECK(s.user(nov, "bob")->package == "Core");
         CHECK(s.units(nov, "Core+") == 1);
         CHECK(s.units(nov, "Core") == 2);  // bob + the standalone server
         s.beat("a", at(2026, 12, 5), 5, {user("alice", 5)}, at(2026, 12, 5, 13));
         const auto dec = s.report("2026-12", at(2026, 12, 6));
         CHECK(s.user(dec, "alice")->package == "Basic");  // ops' newest attachment by then
         const auto groups = st.list_groups("acme");
         REQUIRE(groups.ok());
         CHECK(groups->at(1).members == std::vector<std::string>{"alice"});
     }},
    {"late heartbeats of one device hour are listed as one late adjustment with their count",
     [](BillingScenario& s) {
         s.device("b");
         s.beat("b", at(2026, 11, 30, 22, 5), 5, {user("bob", 5)}, at(2026, 12, 4, 1));
         s.beat("b", at(2026, 11, 30, 22, 10), 4, {user("carol", 4)}, at(2026, 12, 4, 2));
         s.beat("b", at(2026, 11, 30, 23, 5), 3, {user("bob", 3)}, at(2026, 12, 4, 3));
         const auto closed = s.report("2026-11", at(2026, 12, 20));
         CHECK(closed.summary.late_adjustments == 3);  // heartbeats
         REQUIRE(closed.late.size() == 2);             // device hours (22h, 23h UTC)
         CHECK(closed.late[0].heartbeats == 2);
         CHECK(closed.late[0].device_active_minutes == 9);
         CHECK(closed.late[0].start == at(2026, 11, 30, 22, 0));
         CHECK(closed.late[0].users == std::vector<std::string>{"bob", "carol"});
         CHECK(closed.late[1].heartbeats == 1);
         CHECK(closed.late[1].users == std::vector<std::string>{"bob"});
         CHECK(closed.summary.billable_units == 0);
         CHECK(closed.summary.late_units_delta == 2);
     }},
    {"merged principals count as one person",
     [](BillingScenario& s) {
         s.device("a");
         s.device("b");
         s.beat("a", at(2026, 11, 5), 5, {user("alice@corp", 5)});
         s.beat("b", at(2026, 11, 6), 5, {user("CORP\\asmith", 5)});
         CHECK(s.report("2026-11", kLate).summary.active_users == 2);
         REQUIRE(s.f.store->merge_users("acme", "corp\\asmith", "alice@corp", kLate).ok());
         CHECK(s.f.store->merge_users("acme", "alice@corp", "corp\\asmith", kLate).error().code ==
               "bad_request");
         const auto r = s.report("2026-11", kLate);
         CHECK(r.summary.active_users == 1);
         CHECK(s.user(r, "alice@corp")->devices.size() == 2);
     }},
    {"a late heartbeat after close is an adjustment, never a rewrite of the closed month",
     [](BillingScenario& s) {
         s.device("a");
         s.device("b");
         s.beat("a", at(2026, 11, 29), 5, {user("alice", 5)});
         // Received 3 days after the month ended, just before the 72 h close: counted.
         s.beat("a", at(2026, 11, 30, 23), 5, {user("alice", 5)}, at(2026, 12, 3, 23, 59));
         // Received after the close: late.
         s.beat("b", at(2026, 11, 30, 22), 5, {user("bob", 5)}, at(2026, 12, 4, 0, 1));
         const auto open = s.report("2026-11", at(2026, 12, 3, 12));
         CHECK_FALSE(open.summary.closed);
         const auto closed = s.report("2026-11", at(2026, 12, 20));
         CHECK(closed.summary.closed);
         CHECK(closed.summary.active_users == 1);
         CHECK(closed.summary.billable_units == 1);
         CHECK(closed.summary.late_adjustments == 1);
         CHECK(closed.summary.late_units_delta == 1);
         REQUIRE(closed.late.size() == 1);
         CHECK(closed.late[0].device_id == s.id("b"));
         CHECK(closed.late[0].users == std::vector<std::string>{"bob"});
         CHECK(s.row(closed, "b").billing.billed_as == BilledAs::kNotActive);
         // The report judged now at the close instant counts everything received before it.
         const auto at_close = s.report("2026-11", at(2026, 12, 4, 0));
         CHECK(at_close.summary.closed);
         CHECK(at_close.summary.billable_units == 1);
     }},
    {"month boundaries in a non-UTC tenant time zone (America/New_York, UTC-5 in winter)",
     [](BillingScenario& s) {
         auto t = s.settings();
         t.time_zone = "America/New_York";
         s.save(t);
         s.device("a");
         // 2026-11-01 03:00Z is Oct 31 22:00 in New York: October.
         s.beat("a", at(2026, 11, 1, 3), 5, {user("alice", 5)});
         // 2026-12-01 03:00Z is Nov 30 22:00 in New York: November.
         s.beat("a", at(2026, 12, 1, 3), 5, {user("bob", 5)});
         // Two heartbeats on one New York day that spans two UTC dates: one active day.
         s.beat("a", at(2026, 11, 10, 20), 5, {user("bob", 5)});
         s.beat("a", at(2026, 11, 11, 2), 5, {user("bob", 5)});
         const auto nov = s.report("2026-11", kLate);
         CHECK(nov.summary.month_start == at(2026, 11, 1, 4));  // EDT ends Nov 1: UTC-4 at midnight
         CHECK(nov.summary.month_end == at(2026, 12, 1, 5));
         CHECK(s.user(nov, "alice") == nullptr);
         REQUIRE(s.user(nov, "bob") != nullptr);
         CHECK(s.user(nov, "bob")->active_days == 2);  // Nov 10 and Nov 30 (local)
         const auto oct = s.report("2026-10", kLate);
         CHECK(s.user(oct, "alice") != nullptr);
     }},
};

}  // namespace

TEST_CASE("billing rules: scenario table", "[billing][rules]") {
    for (const auto& scenario : kScenarios) {
        DYNAMIC_SECTION(scenario.name) {
            BillingScenario s;
            scenario.run(s);
        }
    }
}

TEST_CASE("an inactive tenant's agents are refused with tenant_inactive", "[billing][rules]") {
    BillingScenario s;
    auto& dev = s.device("a");
    auto t = s.settings();
    REQUIRE(billing::change_tenant_status(t, "inactive", {}, kNow).ok());
    s.save(t);
    auto r = s.f.upload(dev, dev.batch({dev.next_heartbeat(kNow, 5)}), kNow + 60);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "tenant_inactive");
    REQUIRE(billing::change_tenant_status(t, "active", {}, kNow).ok());
    s.save(t);
    CHECK(s.f.upload(dev, dev.batch({dev.next_heartbeat(kNow + 300, 5)}), kNow + 360).ok());
}

TEST_CASE("release after 30 days without signal frees an admin assignment", "[billing][rules]") {
    BillingScenario s;
    s.device("a");
    s.device("b");
    const auto last = at(2026, 10, 2);
    s.beat("a", last, 5, {user("alice", 5)});
    REQUIRE(s.f.store->assign_device_user(s.id("b"), "alice", at(2026, 10, 1)).ok());
    auto facts = s.f.store->billing_facts("acme", 0, at(2027, 1, 1));
    REQUIRE(facts.ok());
    const billing::TimeZone utc;
    billing::Period p{at(2026, 10, 1, 0), at(2026, 11, 1, 0), at(2026, 11, 1, 0), 0, {}, {}};
    const auto paired_by = [&](const billing::Period& period) {
        for (const auto& d : billing::evaluate(*facts, utc, period).devices) {
            if (d.device_id == s.id("b")) {
                return d.paired_by;
            }
        }
        return std::string("missing");
    };
    p.as_of = last + 30 * kDay - 1;
    CHECK(paired_by(p) == "admin");
    p.as_of = last + 30 * kDay;  // day 30: released
    CHECK(paired_by(p).empty());
}

TEST_CASE("a device type change applies from the month it was made in, never to a closed one",
          "[billing][rules]") {
    BillingScenario s;
    s.device("laptop");
    s.device("desk");  // both business: the less used one is overflow
    s.daily("laptop", at(2026, 11, 2), 5, "alice", 5);
    s.daily("desk", at(2026, 11, 2), 2, "alice", 5);
    s.daily("laptop", at(2026, 12, 2), 5, "alice", 5);
    s.daily("desk", at(2026, 12, 2), 2, "alice", 5);
    const auto before = s.report("2026-11", kLate);
    CHECK(s.row(before, "desk").billing.billed_as == BilledAs::kOverflow);
    CHECK(before.summary.billable_units == 2);

    // Made personal on Dec 12, after November closed: November is billed as it was; December
    // (judged at its end) sees a personal device, covered by alice's license.
    REQUIRE(s.f.store->set_device_type(s.id("desk"), "personal", at(2026, 12, 12)).ok());
    const auto november = s.report("2026-11", at(2027, 1, 10));
    CHECK(s.row(november, "desk").billing.billed_as == BilledAs::kOverflow);
    CHECK(s.row(november, "desk").usage.device.facts.device_type == "business");
    CHECK(november.summary.billable_units == 2);
    const auto december = s.report("2026-12", at(2027, 1, 10));
    CHECK(s.row(december, "desk").billing.billed_as == BilledAs::kUserCovered);
    CHECK(s.row(december, "desk").usage.device.facts.device_type == "personal");
    CHECK(december.summary.billable_units == 1);

    // Changed twice after November: its report keeps the type before the first change.
    REQUIRE(s.f.store->set_device_type(s.id("desk"), "business", at(2026, 12, 20)).ok());
    REQUIRE(s.f.store->set_device_type(s.id("desk"), "personal", at(2026, 12, 21)).ok());
    CHECK(s.row(s.report("2026-11", at(2027, 1, 10)), "desk").usage.device.facts.device_type ==
          "business");
    // Setting the type it already has records no change.
    REQUIRE(s.f.store->set_device_type(s.id("desk"), "personal", at(2026, 12, 22)).ok());
    CHECK_FALSE(s.f.store->set_device_type("dev_unknown", "personal", at(2026, 12, 22)).ok());
}
