// The compact users (billing_engine.h UserVerdict): each UserBilling made one at a time by
// CompactOutcome::user_into / OpenMonthRows::each_user equals what take_users() and
// evaluate() give, over a random fleet with shared devices, local accounts, merges, groups
// and personal devices running out of allowance; and the engine's phase-end hook (called
// four times, changing no answer).

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "server/billing/billing_engine.h"
#include "server/report/open_month_rows.h"

using namespace tally::server;
namespace billing = tally::server::billing;

namespace {

constexpr std::int64_t kFrom = 1'793'491'200;  // 2026-11-01T00:00:00Z
constexpr std::int64_t kTo = kFrom + 30 * 86400;

bool same(const billing::UserBilling& a, const billing::UserBilling& b) {
    return a.key == b.key && a.principal == b.principal && a.local == b.local &&
           a.device_id == b.device_id && a.group == b.group && a.package == b.package &&
           a.active_minutes == b.active_minutes && a.active_days == b.active_days &&
           a.first_seen == b.first_seen && a.last_seen == b.last_seen && a.devices == b.devices &&
           a.devices_paired == b.devices_paired;
}

//! A random month: `n` devices (ids out of their order), users shared between them.
BillingFacts random_facts(std::mt19937& rng, int n) {
    BillingFacts f;
    f.tenant.default_package = "Core";
    for (int u = 0; u < n; ++u) {
        f.principals.push_back((u % 3 == 0 ? "User" : "user") + std::to_string(u % (n / 2 + 1)) +
                               "@corp");
    }
    f.principals.push_back("admin");
    for (int i = 0; i < n; ++i) {
        Device d;
        d.id = "dev-" + std::to_string((i * 7919) % 1009);
        d.facts.device_type = rng() % 3 == 0 ? "personal" : "business";
        f.devices.push_back(d);
    }
    for (std::int64_t t = kFrom; t < kTo; t += 3600 * 7) {
        HeartbeatFact hb;
        hb.device = static_cast<std::uint32_t>(rng() % n);
        hb.start = t;
        hb.end = t + 300;
        hb.device_active_minutes = 5;
        hb.first_user = static_cast<std::uint32_t>(f.heartbeat_users.size());
        hb.user_count = 1 + rng() % 2;
        for (std::uint32_t k = 0; k < hb.user_count; ++k) {
            HeartbeatUserFact u;
            u.principal = static_cast<std::uint32_t>(rng() % f.principals.size());
            u.local = f.principals[u.principal] == "admin";
            u.active_minutes = 1 + static_cast<std::int64_t>(rng() % 5);
            f.heartbeat_users.push_back(u);
        }
        f.heartbeats.push_back(hb);
    }
    f.aliases.push_back({"user1@corp", "user2@corp"});
    f.memberships.push_back({"user3@corp", "sales", kFrom - 86400, std::nullopt});
    f.subscriptions.push_back({"sales", "Pro", kFrom - 86400});
    return f;
}

}  // namespace

TEST_CASE("users made one at a time equal take_users and evaluate", "[billing][users]") {
    std::mt19937 rng(2026);
    const billing::TimeZone tz;
    const billing::Period period{kFrom, kTo, kTo, kTo, std::nullopt, {}};
    for (int round = 0; round < 20; ++round) {
        auto facts = random_facts(rng, 4 + round * 3);
        const auto whole = billing::evaluate(facts, tz, period);
        REQUIRE(!whole.users.empty());
        std::size_t paired = 0;
        for (const auto& u : whole.users) {
            paired += u.devices_paired.size();
        }
        std::size_t covered = 0;
        for (const auto& d : whole.devices) {
            covered += d.billed_as == billing::BilledAs::kUserCovered ? 1 : 0;
        }
        CHECK(paired == covered);

        OpenMonthParts parts;
        parts.outcome = billing::evaluate_compact(facts, tz, period);
        parts.devices = facts.devices;
        parts.evidence.resize(facts.devices.size());
        parts.inactive_beats.resize(facts.devices.size());
        parts.month_end = kTo;
        OpenMonthRows rows(std::move(parts));
        REQUIRE(rows.user_count() == whole.users.size());
        std::vector<billing::UserBilling> visited;
        rows.each_user([&](const billing::UserBilling& u) { visited.push_back(u); });
        REQUIRE(visited.size() == whole.users.size());
        for (std::size_t i = 0; i < visited.size(); ++i) {
            CHECK(same(visited[i], whole.users[i]));
        }
        // take_devices first (as build_usage_report_from_rollups does): the users still name
        // their devices.
        const auto devices = rows.take_devices();
        CHECK(devices.size() == facts.devices.size());
        const auto taken = rows.take_users();
        REQUIRE(taken.size() == whole.users.size());
        for (std::size_t i = 0; i < taken.size(); ++i) {
            CHECK(same(taken[i], whole.users[i]));
        }
    }
}

namespace {

int phase_ends = 0;
void count_phase_end() {
    ++phase_ends;
}

bool same_device(const billing::DeviceBilling& a, const billing::DeviceBilling& b) {
    return a.device_id == b.device_id && a.active == b.active &&
           a.active_minutes == b.active_minutes && a.active_days == b.active_days &&
           a.heartbeats == b.heartbeats && a.last_seen == b.last_seen && a.users == b.users &&
           a.paired_user == b.paired_user && a.paired_user_key == b.paired_user_key &&
           a.paired_by == b.paired_by && a.billed_as == b.billed_as && a.package == b.package &&
           a.coverage == b.coverage && a.covered_by == b.covered_by &&
           a.covered_by_key == b.covered_by_key && a.primary_user_active == b.primary_user_active &&
           a.not_billed_heartbeats == b.not_billed_heartbeats;
}

}  // namespace

TEST_CASE("the engine's phase ends are called four times and change no answer",
          "[billing][users]") {
    std::mt19937 rng(1120);
    const billing::TimeZone tz;
    const billing::Period period{kFrom, kTo, kTo, kTo, std::nullopt, {}};
    for (int round = 0; round < 5; ++round) {
        auto facts = random_facts(rng, 10 + round * 7);
        const auto whole = billing::evaluate(facts, tz, period);
        phase_ends = 0;
        const auto kept = billing::evaluate_compact(facts, tz, period, &count_phase_end);
        CHECK(phase_ends == 4);  // halfway through the users, after them, twice more
        auto released_facts = facts;
        const auto released =
            billing::evaluate_compact_releasing(released_facts, tz, period, &count_phase_end);
        CHECK(phase_ends == 8);
        CHECK(released_facts.heartbeats.empty());
        for (const auto* outcome : {&kept, &released}) {
            REQUIRE(outcome->devices.size() == whole.devices.size());
            for (std::size_t i = 0; i < whole.devices.size(); ++i) {
                CHECK(same_device(outcome->device(i, facts.devices[i]), whole.devices[i]));
            }
            REQUIRE(outcome->users.size() == whole.users.size());
            for (std::size_t i = 0; i < whole.users.size(); ++i) {
                CHECK(same(outcome->user(i, facts.devices), whole.users[i]));
            }
            CHECK(outcome->billable_units == whole.billable_units);
        }
    }
}
