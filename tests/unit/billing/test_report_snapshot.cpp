// The report's set-based reads: report_facts (one snapshot, a fixed number of queries) must
// give every device the evidence device_evidence gives it one at a time, and the facts
// billing_facts gives; the streamed JSON writer must write what a whole-document dump writes.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "billing_fixture.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "pairing/pairing_code.h"
#include "server/ingest/device_id.h"
#include "server/report/usage_json.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

namespace {

bool same(const DeviceEvidence& a, const DeviceEvidence& b) {
    return a.gap_seqs == b.gap_seqs && a.lost_by_server == b.lost_by_server && a.forks == b.forks &&
           a.chain_breaks == b.chain_breaks && a.held == b.held && a.revoked == b.revoked &&
           a.trust_on_first_use == b.trust_on_first_use;
}

//! Enrolls `dev` as a bundle import does, by trust on first use (at the store; the import
//! itself is tested in tests/integration/test_standalone.py).
void pair_by_first_use(ServerFixture& f, TestDevice& dev) {
    auto canonical = pairing::normalize_pairing_code(f.code);
    REQUIRE(canonical.ok());
    PairAttempt a;
    a.code_hash = pairing::hex_encode(pairing::sha256(*canonical));
    const auto key = dev.key.public_key();
    a.public_key.assign(key.begin(), key.end());
    a.facts = {"imported", "linux", "Debian 12", "0.1.0", "business", "workstation", ""};
    a.new_device_id = new_device_id();
    a.now = kNow;
    a.enrollment = "import_tofu";
    auto created = f.store->pair_device(a);
    REQUIRE(created.ok());
    dev.device_id = created->id;
}

//! Generated delivery histories: device i gets a mix of gaps (some overlapping), forks,
//! chain breaks, held heartbeats, revocation, retirement and trust on first use by i.
void generate(ServerFixture& f, std::vector<TestDevice>& devices) {
    for (std::size_t i = 0; i < devices.size(); ++i) {
        auto& dev = devices[i];
        if (i % 6 == 5) {
            pair_by_first_use(f, dev);
        } else {
            f.pair(dev);
        }
        std::vector<pairing::Gap> gaps;
        if (i % 2 == 1) {
            dev.seq = 4 + i;
            gaps.push_back({1, 3, "spool_full"});
            gaps.push_back({2, 4 + i, "spool_corrupt"});  // overlaps the first
            if (i % 4 == 1) {  // lost by a restored server, overlapping twice
                gaps.push_back({2, 3, "server_lost"});
                gaps.push_back({3, 4 + i, "server_lost"});
            }
        }
        std::vector<std::string> hbs;
        for (std::size_t k = 0; k < 1 + i % 4; ++k) {
            hbs.push_back(dev.next_heartbeat(kNow - 3000 + 300 * static_cast<std::int64_t>(k),
                                             static_cast<std::uint32_t>(k % 6),
                                             {user("u" + std::to_string(i % 3), 2)}));
        }
        REQUIRE(f.upload(dev, dev.batch(hbs, gaps)).ok());
        if (i % 3 == 0) {  // a clone repeats the last seq with other bytes
            dev.seq -= 1;
            dev.prev = std::string(64, 'c');
            REQUIRE(f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 100, 1)})).ok());
        }
        if (i % 4 == 2) {  // a break of the hash chain
            dev.prev = std::string(64, 'd');
            REQUIRE(f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 50)})).ok());
        }
        if (i % 5 == 1) {  // held: far outside the time window
            REQUIRE(f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 40 * kDay)})).ok());
        }
        if (i % 7 == 3) {
            REQUIRE(
                f.store->retire_device(dev.device_id, i % 2 ? "revoked" : "uninstall", kNow).ok());
        }
    }
}

}  // namespace

TEST_CASE("report_facts: set-based evidence equals device_evidence, facts equal billing_facts",
          "[report][snapshot]") {
    ServerFixture f;
    f.code = f.make_code("acme", 50);
    std::vector<TestDevice> devices(14);
    generate(f, devices);
    // Another tenant's device with evidence of its own must not leak into acme's snapshot.
    REQUIRE(f.store->add_tenant("other", kNow - kDay).ok());
    f.code = f.make_code("other", 5);
    std::vector<TestDevice> others(3);
    generate(f, others);

    auto snap = f.store->report_facts("acme", kNow - 60 * kDay, kNow + kDay);
    REQUIRE(snap.ok());
    CHECK(snap->evidence.size() == devices.size());
    int with_evidence = 0;
    for (const auto& dev : devices) {
        auto one = f.store->device_evidence(dev.device_id);
        REQUIRE(one.ok());
        const auto it = snap->evidence.find(dev.device_id);
        REQUIRE(it != snap->evidence.end());
        INFO("device " << dev.device_id);
        CHECK(same(it->second, *one));
        with_evidence += one->gap_seqs + one->forks + one->chain_breaks + one->held > 0 ? 1 : 0;
    }
    CHECK(with_evidence >= 10);  // the generator really produced evidence

    auto facts = f.store->billing_facts("acme", kNow - 60 * kDay, kNow + kDay);
    REQUIRE(facts.ok());
    const auto& a = *facts;
    const auto& b = snap->facts;
    REQUIRE(a.devices.size() == b.devices.size());
    // report_facts reads half of the devices on a second connection and merges the halves:
    // the principals are interned once, in the order one connection reads them.
    CHECK(a.principals == b.principals);
    CHECK(b.principals.size() == 3);
    REQUIRE(a.heartbeats.size() == b.heartbeats.size());
    // The facts are rollup buckets (one device hour each), several per device here.
    std::int64_t beats = 0;
    for (const auto& h : a.heartbeats) {
        beats += h.heartbeats;
    }
    CHECK(beats > static_cast<std::int64_t>(devices.size()));
    for (std::size_t i = 0; i < a.heartbeats.size(); ++i) {
        const auto& x = a.heartbeats[i];
        const auto& y = b.heartbeats[i];
        CHECK((a.device_id(x) == b.device_id(y) && x.seq == y.seq && x.start == y.start &&
               x.received_at == y.received_at && x.user_count == y.user_count));
        const auto xu = a.users(x);
        const auto yu = b.users(y);
        for (std::size_t k = 0; k < xu.size() && k < yu.size(); ++k) {
            CHECK(a.principal(xu[k]) == b.principal(yu[k]));
            CHECK(xu[k].active_minutes == yu[k].active_minutes);
        }
        if (i > 0) {
            CHECK(a.heartbeats[i - 1].start <= x.start);  // by start
        }
    }
    CHECK(b.signals.empty());  // no admin assignment: the engine reads no signal
    CHECK(!a.signals.empty());

    // With an assignment the snapshot carries every signal, as billing_facts does.
    REQUIRE(f.store->assign_device_user(devices[0].device_id, "u0", kNow).ok());
    auto assigned = f.store->report_facts("acme", kNow - 60 * kDay, kNow + kDay);
    REQUIRE(assigned.ok());
    CHECK(assigned->facts.signals.size() == a.signals.size());
    CHECK(assigned->facts.assignments.size() == 1);
}

TEST_CASE("report_facts: buckets carry every user with active minutes", "[report][snapshot]") {
    BillingScenario s;
    s.device("pc");
    s.beat("pc", at(2026, 11, 3), 5, {user("alice", 5), user("bob", 0), user("carol", 3, true)});
    s.beat("pc", at(2026, 11, 4), 0);
    auto snap = s.f.store->report_facts("acme", at(2026, 11, 1, 0), at(2026, 12, 1, 0));
    REQUIRE(snap.ok());
    const auto& f = snap->facts;
    REQUIRE(f.heartbeats.size() == 2);
    // Rollup buckets keep the users billing counts: bob, without minutes, has no row.
    const auto users = f.users(f.heartbeats[0]);
    REQUIRE(users.size() == 2);
    CHECK(f.principal(users[0]) == "alice");
    CHECK(users[0].active_minutes == 5);
    CHECK(f.principal(users[1]) == "carol");
    CHECK(users[1].local);
    CHECK(users[1].active_minutes == 3);
    CHECK(f.heartbeats[0].heartbeats == 1);
    CHECK(f.users(f.heartbeats[1]).empty());
    CHECK(f.device_id(f.heartbeats[1]) == s.id("pc"));
    CHECK(f.principals.size() == 2);  // interned
}

TEST_CASE("the streamed JSON report is the whole-document dump, byte for byte",
          "[report][snapshot]") {
    BillingScenario s;
    s.device("a");
    s.device("b", "personal");
    s.device("idle");
    s.daily("a", at(2026, 10, 2), 5, "Alice", 5);
    s.daily("b", at(2026, 10, 3), 2, "bob\xff", 3);  // invalid UTF-8 is replaced, not thrown
    // Received after the October close: a late adjustment.
    s.beat("a", at(2026, 10, 20), 5, {user("carol", 5)}, at(2026, 11, 10));
    for (const auto& [month, now] :
         {std::pair{"2026-10", at(2026, 11, 15)}, std::pair{"2026-09", at(2026, 11, 15)}}) {
        const auto r = s.report(month, now);
        const auto text = usage_to_json(r);
        const auto whole = nlohmann::ordered_json::parse(text).dump(
                               2, ' ', false, nlohmann::json::error_handler_t::replace) +
                           "\n";
        CHECK(text == whole);
        if (std::string(month) == "2026-10") {
            CHECK(r.late.size() == 1);
            CHECK(r.users.size() == 2);
        }
    }
}
