// IngestStore, BillingReadStore, PurgeStore and the console's reads on both backends
// ([sqlite] and [postgres], the same bodies): a batch's dedupe, forks, chain breaks, gaps,
// held heartbeats and their promotion, the ack; what billing and usage then read; the same
// batch stored through two stores (two servers) at once counted once; a released user purged.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/time_format.h"
#include "server/report/usage_json.h"
#include "server/report/usage_report.h"
#include "server/store/open_store.h"
#include "store_backends.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

namespace {

constexpr std::int64_t kHour = 3600;

//! One tenant and one paired device (its chain in `agent`).
template <class B>
struct Paired {
    B b;
    TestDevice agent;
    Paired() {
        agent.device_id = "dev-1";
        REQUIRE(b.store->add_tenant("acme", kNow - 86400).ok());
        const auto hash = pairing::hex_encode(pairing::sha256(std::string("code-1")));
        REQUIRE(b.store->add_pairing_code({"acme", hash, 5, kNow + 86400}, kNow - 86400).ok());
        PairAttempt a;
        a.code_hash = hash;
        const auto key = agent.key.public_key();
        a.public_key = std::string(key.begin(), key.end());
        a.facts = {"host", "linux", "12", "1.0.0", "business", "workstation", "fp"};
        a.new_device_id = agent.device_id;
        a.now = kNow - 86400;
        REQUIRE(b.store->pair_device(a).ok());
    }
    AcceptedHeartbeat hb(std::int64_t end, std::vector<pairing::UserActivity> users = {},
                         bool held = false) {
        AcceptedHeartbeat out;
        out.bytes = agent.next_heartbeat(end, 5, std::move(users));
        out.decoded = *pairing::decode_heartbeat(out.bytes);
        out.held = held;
        return out;
    }
};

AcceptedHeartbeat forged(const AcceptedHeartbeat& of, std::uint32_t minutes) {
    auto d = of.decoded;
    d.device_active_minutes = minutes;
    AcceptedHeartbeat out;
    out.bytes = pairing::encode_heartbeat(d);
    out.decoded = d;
    return out;
}

template <class B>
void ingest_body() {
    Paired<B> p;
    Store& s = *p.b.store;
    const auto& id = p.agent.device_id;
    const auto t0 = kNow - 10 * kHour;
    std::vector<AcceptedHeartbeat> first = {p.hb(t0, {user("alice", 5)}),
                                            p.hb(t0 + 300, {user("alice", 4)}),
                                            p.hb(t0 + 600, {user("bob", 3, true)})};
    auto r = s.store_batch(id, first, {}, kNow);
    REQUIRE(r.ok());
    CHECK(r->accepted == 3);
    CHECK(r->acked_through == 3);
    // The same batch again (a retry): nothing new.
    r = s.store_batch(id, first, {}, kNow);
    REQUIRE(r.ok());
    CHECK(r->duplicates == 3);
    CHECK(r->accepted == 0);
    // Other bytes for seq 2: a fork, kept, the device suspected.
    r = s.store_batch(id, {forged(first[1], 1)}, {}, kNow);
    REQUIRE(r.ok());
    CHECK(r->forks == 1);
    // Seq 4 declared lost: seq 5's link to it is not checked. Seq 6 re-encoded with a wrong
    // prev: a break at 6, and at 7 (its prev names the original 6). Seq 7 held (out of
    // window), then counted.
    p.agent.seq = 4;
    auto five = p.hb(t0 + 1200, {user("alice", 5)});
    auto six = p.hb(t0 + 1500);
    six.decoded.prev = std::string(64, 'a');
    six.bytes = pairing::encode_heartbeat(six.decoded);
    auto seven = p.hb(t0 + 1800, {}, true);
    r = s.store_batch(id, {five, six, seven}, {{4, 4, "spool_full"}}, kNow);
    REQUIRE(r.ok());
    CHECK(r->accepted == 2);
    CHECK(r->held == 1);
    CHECK(r->chain_breaks == 2);
    CHECK(r->acked_through == 7);
    seven.held = false;
    r = s.store_batch(id, {seven}, {}, kNow + 60);
    REQUIRE(r.ok());
    CHECK(r->accepted == 1);

    auto ev = s.device_evidence(id);
    REQUIRE(ev.ok());
    CHECK(ev->gap_seqs == 1);
    CHECK(ev->forks == 1);
    CHECK(ev->chain_breaks == 2);
    CHECK(ev->held == 0);
    auto dev = s.find_device(id);
    REQUIRE(dev.ok());
    CHECK((*dev)->suspected_clone);
    CHECK((*dev)->acked_through == 7);

    // Billing and usage read what was counted: 6 heartbeats, 30 device minutes.
    const auto from = kNow - 40 * 86400;
    const auto to = kNow + 86400;
    auto facts = s.billing_facts("acme", from, to);
    REQUIRE(facts.ok());
    std::int64_t heartbeats = 0;
    std::int64_t minutes = 0;
    for (const auto& h : facts->heartbeats) {
        heartbeats += h.heartbeats;
        minutes += h.device_active_minutes;
    }
    CHECK(heartbeats == 6);
    CHECK(minutes == 30);
    auto report = s.report_facts("acme", from, to);
    REQUIRE(report.ok());
    CHECK(report->facts.heartbeats.size() == facts->heartbeats.size());
    CHECK(report->evidence.at(id).chain_breaks == 2);
    const auto month_start = kNow - (kNow % 86400) - 2 * 86400;  // same UTC month as t0
    auto usage = s.usage("acme", month_start, to);
    REQUIRE(usage.ok());
    REQUIRE(usage->devices.size() == 1);
    CHECK(usage->devices[0].heartbeats == 6);
    CHECK(usage->devices[0].active_minutes == 30);
    REQUIRE(usage->users.size() == 2);
    CHECK(usage->users[0].principal == "alice");
    CHECK(usage->users[0].active_minutes == 14);
    auto stats = s.storage_stats();
    REQUIRE(stats.ok());
    // Evidence is kept per batch that counted something: three batches did.
    CHECK(stats->evidence_rows == 3);
}
BACKEND_TEST("a batch's dedupe, fork, gap, chain break, held and ack; billing reads", ingest_body)

template <class B>
void two_servers_body() {
    Paired<B> p;
    auto other = p.b.second();
    std::vector<AcceptedHeartbeat> batch;
    for (int i = 0; i < 24; ++i) {
        batch.push_back(p.hb(kNow - 20 * kHour + i * 300, {user("alice", 5)}));
    }
    // The same batch through both stores at once, several times over: counted once.
    std::vector<std::thread> threads;
    std::vector<tally::Result<StoreBatchResult>> results(8, tally::make_error("none", ""));
    for (std::size_t i = 0; i < results.size(); ++i) {
        Store& s = i % 2 == 0 ? static_cast<Store&>(*p.b.store) : static_cast<Store&>(*other);
        threads.emplace_back([&, i, ptr = &s] {
            results[i] = ptr->store_batch(p.agent.device_id, batch, {}, kNow);
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::uint32_t accepted = 0;
    for (const auto& r : results) {
        REQUIRE(r.ok());
        CHECK(r->acked_through == 24);
        CHECK(r->accepted + r->duplicates == 24);
        accepted += r->accepted;
    }
    CHECK(accepted == 24);
    auto usage = p.b.store->usage("acme", kNow - 20 * kHour, kNow + 86400);
    REQUIRE(usage.ok());
    CHECK(usage->devices.at(0).heartbeats == 24);
    CHECK(usage->devices.at(0).active_minutes == 120);
}
BACKEND_TEST("the same batch through two stores at once is counted once", two_servers_body)

template <class B>
void purge_body() {
    Paired<B> p;
    Store& s = *p.b.store;
    const auto t0 = kNow - 10 * kHour;
    REQUIRE(s.store_batch(p.agent.device_id, {p.hb(t0, {user("carol", 5)})}, {}, kNow).ok());
    // Not yet released: nothing purged.
    auto none = s.purge_users(kNow + 86400);
    REQUIRE(none.ok());
    CHECK(none->users_purged == 0);
    // 30 days without signal, then 90 more: purged, the evidence naming her redacted.
    auto purged = s.purge_users(kNow + 121 * 86400);
    REQUIRE(purged.ok());
    CHECK(purged->users_purged == 1);
    CHECK(purged->heartbeat_rows_redacted == 1);
    // Who was purged, for the closed-month snapshots' redaction (PurgeRun).
    REQUIRE(purged->purged.size() == 1);
    CHECK(purged->purged[0].tenant == "acme");
    CHECK(purged->purged[0].surrogate.rfind("purged-", 0) == 0);
    const auto& names = purged->purged[0].names;
    CHECK(std::find(names.begin(), names.end(), "carol") != names.end());
    auto usage = s.usage("acme", kNow - 2 * 86400, kNow + 86400);
    REQUIRE(usage.ok());
    REQUIRE(usage->users.size() == 1);
    CHECK(usage->users[0].principal.rfind("purged-", 0) == 0);
    CHECK(usage->users[0].active_minutes == 5);
    // A change of time zone rebuilds the rollups: the surrogate and the minutes survive.
    auto settings = s.tenant_settings("acme");
    REQUIRE(settings.ok());
    settings->time_zone = "Europe/Paris";
    REQUIRE(s.update_tenant_settings(*settings).ok());
    usage = s.usage("acme", kNow - 2 * 86400, kNow + 86400);
    REQUIRE(usage.ok());
    REQUIRE(usage->users.size() == 1);
    CHECK(usage->users[0].principal.rfind("purged-", 0) == 0);
    CHECK(usage->devices.at(0).heartbeats == 1);
}
BACKEND_TEST("a released user is purged from rollups and evidence", purge_body)

template <class B>
void console_body() {
    Paired<B> p;
    Store& s = *p.b.store;
    const auto t0 = kNow - 10 * kHour;
    REQUIRE(s.store_batch(p.agent.device_id,
                          {p.hb(t0, {user("dave", 5)}), p.hb(t0 + 300, {user("erin", 5)})}, {},
                          kNow)
                .ok());
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    pairing::civil_from_days((t0 - 300) / 86400, y, m, d);
    const std::int64_t month = y * 100 + m;
    CHECK(*s.console_month_active("acme", month));
    CHECK_FALSE(*s.console_month_active("acme", month + 1));
    auto days = s.console_days("acme", month, 31);
    REQUIRE(days.ok());
    REQUIRE(days->size() == 31);
    CHECK((*days)[d - 1].active_devices == 1);
    CHECK((*days)[d - 1].active_users == 2);
    auto device_days = s.console_device_days(p.agent.device_id, 0, 1'000'000);
    REQUIRE(device_days.ok());
    REQUIRE(device_days->size() == 1);
    CHECK((*device_days)[0].heartbeats == 2);
    CHECK((*device_days)[0].active_users == 2);
    auto user_month = s.console_user_month("acme", month, "dave", {p.agent.device_id});
    REQUIRE(user_month.ok());
    REQUIRE(user_month->size() == 1);
    CHECK((*user_month)[0].active_minutes == 5);
    auto events = s.console_device_events(p.agent.device_id);
    REQUIRE(events.ok());
    REQUIRE_FALSE(events->empty());
    CHECK(events->front().what == "paired");
    const auto day = (t0 - 300) / 86400;
    auto user_days = s.console_user_days("dave", false, {p.agent.device_id}, day - 1, day + 1);
    REQUIRE(user_days.ok());
    REQUIRE(user_days->size() == 1);
    CHECK((*user_days)[0].day == day);
    CHECK((*user_days)[0].active_minutes == 5);
}
BACKEND_TEST("the console reads the rollups", console_body)

template <class B>
void month_close_body() {
    Paired<B> p;
    Store& s = *p.b.store;
    const auto t0 = kNow - 10 * kHour;
    REQUIRE(s.store_batch(p.agent.device_id, {p.hb(t0, {user("dave", 5)})}, {}, kNow).ok());
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    pairing::civil_from_days((t0 - 300) / 86400, y, m, d);
    char month[16];
    std::snprintf(month, sizeof month, "%04d-%02u", y, m);
    auto open = s.months_without_snapshot("acme");
    REQUIRE(open.ok());
    CHECK(*open == std::vector<std::string>{month});
    CHECK_FALSE(s.month_snapshot("acme", month)->has_value());
    CHECK(*s.late_heartbeats("acme", month) == 0);
    // Written once: the second writer (another server) changes nothing and reads the first.
    const std::string body = std::string("\0frozen", 7) + "\xff";
    CHECK(*s.put_month_snapshot("acme", {month, kNow, 1, body}));
    auto other = p.b.second();
    CHECK_FALSE(*other->put_month_snapshot("acme", {month, kNow + 5, 2, "later"}));
    auto kept = other->month_snapshot("acme", month);
    REQUIRE(kept.ok());
    REQUIRE(kept->has_value());
    CHECK((*kept)->body == body);
    CHECK((*kept)->closed_at == kNow);
    CHECK((*kept)->format_version == 1);
    CHECK(s.months_without_snapshot("acme")->empty());
    CHECK(*s.months_with_snapshot("acme") == std::vector<std::string>{month});
    // Redaction replaces the body only (closed_at and the format stay).
    REQUIRE(other->redact_month_snapshot("acme", month, "redacted").ok());
    kept = s.month_snapshot("acme", month);
    CHECK((*kept)->body == "redacted");
    CHECK((*kept)->closed_at == kNow);
    CHECK(s.redact_month_snapshot("acme", "2020-01", "x").error().code == "not_found");
    CHECK(s.month_snapshot("nobody", month).error().code == "not_found");
    CHECK(s.month_snapshot("acme", "2026-13").error().code == "bad_request");
}
BACKEND_TEST("a month's snapshot is written once and read back", month_close_body)

//! November 2026 (UTC), daily heartbeats of two users: read as one whole-month fact, and the
//! report the same byte for byte as from the hourly buckets, open and closed.
template <class B>
void month_facts_body() {
    Paired<B> p;
    constexpr std::int64_t kNov1 = 1793491200;
    constexpr std::int64_t kDec1 = kNov1 + 30 * 86400;
    std::vector<AcceptedHeartbeat> batch;
    for (int day = 0; day < 29; ++day) {
        const auto end = kNov1 + day * 86400 + 9 * 3600;
        batch.push_back(p.hb(end, {user(day % 3 != 0 ? "alice" : "bob", 5)}));
        batch.push_back(p.hb(end + 3600));
    }
    REQUIRE(p.b.store->store_batch(p.agent.device_id, batch, {}, kDec1 + 3600).ok());
    MonthWindow w;
    w.from = w.read_from = kNov1;
    w.to = w.as_of = kDec1;
    auto coarse = p.b.store->month_report_facts("acme", w);
    REQUIRE(coarse.ok());
    CHECK(coarse->facts.heartbeats.size() == 1);
    CHECK(coarse->facts.heartbeats[0].heartbeats == 58);
    w.coarse = false;
    auto fine = p.b.store->month_report_facts("acme", w);
    REQUIRE(fine.ok());
    CHECK(fine->facts.heartbeats.size() == 58);
    for (const auto now : {kDec1 + 86400, kDec1 + 10 * 86400}) {  // open, then closed
        auto a =
            build_usage_report_from_rollups(*p.b.store, "acme", "2026-11", now, FactGrain::kMonth);
        auto b =
            build_usage_report_from_rollups(*p.b.store, "acme", "2026-11", now, FactGrain::kHourly);
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        CHECK(usage_to_json(*a) == usage_to_json(*b));
        CHECK(a->devices.at(0).usage.active_days == 29);
    }
    // Retired inside the month: read hour by hour (the month's buckets of that device only).
    REQUIRE(p.b.store->retire_device(p.agent.device_id, "uninstall", kNov1 + 14 * 86400).ok());
    w.coarse = true;
    coarse = p.b.store->month_report_facts("acme", w);
    REQUIRE(coarse.ok());
    CHECK(coarse->facts.heartbeats.size() == 58);
    auto a = build_usage_report_from_rollups(*p.b.store, "acme", "2026-11", kDec1 + 86400,
                                             FactGrain::kMonth);
    auto b = build_usage_report_from_rollups(*p.b.store, "acme", "2026-11", kDec1 + 86400,
                                             FactGrain::kHourly);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(usage_to_json(*a) == usage_to_json(*b));
    CHECK(a->devices.at(0).usage.active_days == 14);
}
BACKEND_TEST("a month no cut splits is one fact per device, same report", month_facts_body)

//! A report that writes only rows (MonthWindow::written_devices_only) reads each device without
//! the columns no row writes, everything else as whole devices (and the type as the month
//! ended, a retirement, the last seen).
template <class B>
void written_devices_body() {
    Paired<B> p;
    constexpr std::int64_t kNov1 = 1793491200;
    constexpr std::int64_t kDec1 = kNov1 + 30 * 86400;
    REQUIRE(p.b.store
                ->store_batch(p.agent.device_id, {p.hb(kNov1 + 3600, {user("alice", 5)})}, {},
                              kNov1 + 7200)
                .ok());
    REQUIRE(p.b.store->set_device_type(p.agent.device_id, "personal", kNov1 + 86400).ok());
    REQUIRE(p.b.store->set_device_type(p.agent.device_id, "business", kDec1 + 86400).ok());
    REQUIRE(p.b.store->retire_device(p.agent.device_id, "uninstall", kDec1 + 2 * 86400).ok());
    MonthWindow w;
    w.from = w.read_from = kNov1;
    w.to = w.as_of = kDec1;
    auto whole = p.b.store->month_report_facts("acme", w);
    w.written_devices_only = true;
    auto written = p.b.store->month_report_facts("acme", w);
    REQUIRE(whole.ok());
    REQUIRE(written.ok());
    REQUIRE(whole->facts.devices.size() == 1);
    REQUIRE(whole->whole_devices.size() == 1);
    REQUIRE(written->facts.devices.size() == 1);
    CHECK(written->whole_devices.empty());  // only the written columns (BillingDevice)
    const auto& a = whole->whole_devices[0];
    const auto& b = written->facts.devices[0];
    CHECK(!a.public_key.empty());
    CHECK(!a.tenant.empty());
    CHECK(whole->facts.devices[0].id == a.id);
    CHECK(whole->facts.devices[0].facts.device_type == "personal");
    CHECK(b.id == a.id);
    CHECK(b.facts.hostname == a.facts.hostname);
    CHECK(b.facts.device_type == "personal");  // as November ended
    CHECK(a.facts.device_type == "personal");
    CHECK(b.facts.role == a.facts.role);
    CHECK((b.paired_at == a.paired_at && b.retired_at == a.retired_at && b.retired_at));
    CHECK((b.last_seen == a.last_seen && b.last_seq == a.last_seq &&
           b.suspected_clone == a.suspected_clone));
    CHECK(written->facts.heartbeats.size() == whole->facts.heartbeats.size());
}
BACKEND_TEST("a report writing only rows reads only the devices' written columns",
             written_devices_body)

//! December 2026 (31 days), split by the primary user's trailing window after its end and while
//! it runs, in UTC and New York: the same report as from the hourly buckets, with fewer facts;
//! a second device retired inside it is read hour by hour beside the first.
template <class B>
void split_month_body() {
    Paired<B> p;
    const auto zone = GENERATE(as<std::string>{}, "UTC", "America/New_York");
    auto settings = p.b.store->tenant_settings("acme");
    REQUIRE(settings.ok());
    settings->time_zone = zone;
    REQUIRE(p.b.store->update_tenant_settings(*settings).ok());
    TestDevice second;
    second.device_id = "dev-2";
    const auto hash = pairing::hex_encode(pairing::sha256(std::string("code-2")));
    REQUIRE(p.b.store->add_pairing_code({"acme", hash, 5, kNow + 86400}, kNow - 86400).ok());
    PairAttempt a;
    a.code_hash = hash;
    const auto key = second.key.public_key();
    a.public_key = std::string(key.begin(), key.end());
    a.facts = {"host2", "linux", "12", "1.0.0", "business", "workstation", "fp2"};
    a.new_device_id = second.device_id;
    a.now = kNow - 86400;
    REQUIRE(p.b.store->pair_device(a).ok());
    constexpr std::int64_t kNov20 = 1795132800;  // 2026-11-20 00:00 UTC
    constexpr std::int64_t kDec1 = 1796083200;
    const char* const people[] = {"alice", "bob", "carol"};
    for (auto* dev : {&p.agent, &second}) {
        std::vector<AcceptedHeartbeat> batch;
        for (int i = 0; i < 44 * 5; ++i) {  // every 4.8 h to early January
            const auto end = kNov20 + i * 17280 + 600;
            AcceptedHeartbeat hb;
            hb.bytes = dev->next_heartbeat(end, 5, {user(people[i % 3], 1 + i % 5, i % 7 == 0)});
            hb.decoded = *pairing::decode_heartbeat(hb.bytes);
            batch.push_back(std::move(hb));
        }
        REQUIRE(p.b.store->store_batch(dev->device_id, batch, {}, kNov20 + 44 * 86400).ok());
    }
    REQUIRE(p.b.store->retire_device("dev-2", "uninstall", kDec1 + 9 * 86400).ok());
    for (const auto now :
         {kDec1 + 1, kDec1 + 3 * 86400 + 43200, kDec1 + 31 * 86400 - 7200, kDec1 + 50 * 86400}) {
        INFO("zone " << zone << " at " << now);
        auto coarse =
            build_usage_report_from_rollups(*p.b.store, "acme", "2026-12", now, FactGrain::kMonth);
        auto fine =
            build_usage_report_from_rollups(*p.b.store, "acme", "2026-12", now, FactGrain::kHourly);
        REQUIRE(coarse.ok());
        REQUIRE(fine.ok());
        CHECK(usage_to_json(*coarse) == usage_to_json(*fine));
    }
    // After its end: December's first day (before the trailing window) is one fact of its
    // users' minutes for dev-1 (the user-day rollups), the rest of the month one more.
    MonthWindow w;
    w.from = zone == "UTC" ? kDec1 : kDec1 + 5 * kHour;
    w.to = w.as_of = w.from + 31 * 86400;
    w.read_from = w.from;
    auto coarse = p.b.store->month_report_facts("acme", w);
    w.coarse = false;
    auto fine = p.b.store->month_report_facts("acme", w);
    REQUIRE(coarse.ok());
    REQUIRE(fine.ok());
    const auto dev1 = [](const ReportFacts& r) {
        return std::count_if(
            r.facts.heartbeats.begin(), r.facts.heartbeats.end(),
            [&](const HeartbeatFact& h) { return r.facts.device_id(h) == "dev-1"; });
    };
    const auto dev2 = [&](const ReportFacts& r) {
        return static_cast<std::ptrdiff_t>(r.facts.heartbeats.size()) - dev1(r);
    };
    CHECK(dev1(*fine) == 31 * 5);
    CHECK(dev1(*coarse) == 2);
    CHECK(dev2(*coarse) == dev2(*fine));
}
BACKEND_TEST("a month split by the trailing window reads its rest as one fact, same report",
             split_month_body)

}  // namespace

namespace {

// --db (server/store/open_store.h): no backend needed for these.
TEST_CASE("--db chooses the store; a bad one is a clear error without the password", "[sqlite]") {
    const std::filesystem::path dir = "/data";
    auto lite = parse_db(std::nullopt, dir);
    REQUIRE(lite.ok());
    CHECK(lite->kind == DbChoice::Kind::sqlite);
    CHECK(lite->target == "/data/tally.db");
    auto file = parse_db(std::string("sqlite:/elsewhere/t.db"), dir);
    REQUIRE(file.ok());
    CHECK(file->target == "/elsewhere/t.db");
    auto pg = parse_db(std::string("postgresql://tally:s3cret@127.0.0.1:5432/tally"), dir);
    REQUIRE(pg.ok());
    CHECK(pg->kind == DbChoice::Kind::postgres);
    for (const char* bad : {"mysql://tally:s3cret@host/db", "sqlite:", "tally.db", ""}) {
        auto r = parse_db(std::string(bad), dir);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "usage");
        CHECK_THAT(r.error().message, Catch::Contains("--db"));
        CHECK_THAT(r.error().message, !Catch::Contains("s3cret"));
    }
    // Nothing listens on port 1: the error names the problem, never the password.
    auto down = open_store({DbChoice::Kind::postgres, "postgresql://tally:s3cret@127.0.0.1:1/x"});
    REQUIRE_FALSE(down.ok());
    CHECK(down.error().code == "db_unavailable");
    CHECK_THAT(down.error().message, !Catch::Contains("s3cret"));
}

}  // namespace

namespace {

// PostgreSQL only: evidence is partitioned by the month received and dropped a whole month
// at a time after the retention; a copy of a dropped seq arriving later is a duplicate.
TEST_CASE("evidence partitions are dropped at retention; their seqs stay duplicates",
          "[postgres]") {
    Paired<PostgresBackend> p;
    auto& s = *p.b.store;
    const auto old = kNow - 500 * 86400;  // received 500 days ago
    std::vector<AcceptedHeartbeat> batch = {p.hb(old - 600, {user("fred", 5)}),
                                            p.hb(old - 300, {user("fred", 5)})};
    auto first = s.store_batch(p.agent.device_id, batch, {}, old);
    REQUIRE(first.ok());
    REQUIRE(first->accepted == 2);
    auto recent = s.store_batch(p.agent.device_id, {p.hb(kNow - 600)}, {}, kNow);
    REQUIRE(recent.ok());
    const auto partitions = [&] {
        auto c = PgConnection::connect(p.b.db.url());
        REQUIRE(c.ok());
        auto r = (*c)->exec(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent"
            " WHERE p.relname = 'heartbeat_evidence'");
        REQUIRE(r.ok());
        return r->int64(0, 0);
    };
    const auto before = partitions();
    // A retention of 10 years keeps it; the default 400 days drops it, with its one batch.
    auto kept = s.purge_evidence(kNow, EvidencePolicy{3650, 35});
    REQUIRE(kept.ok());
    CHECK(kept->batches_deleted == 0);
    CHECK(partitions() == before);
    auto dropped = s.purge_evidence(kNow, EvidencePolicy{});
    REQUIRE(dropped.ok());
    CHECK(dropped->batches_deleted == 1);
    CHECK(partitions() == before - 1);
    CHECK(*s.drop_old_evidence(kNow, PostgresStore::kEvidenceRetentionDays) == 0);
    // The old batch again: nothing counted twice; the ack holds; its month's usage stays.
    auto again = s.store_batch(p.agent.device_id, batch, {}, kNow);
    REQUIRE(again.ok());
    CHECK(again->accepted == 0);
    CHECK(again->duplicates == 2);
    CHECK(again->acked_through == 3);
    auto usage = s.usage("acme", old - 86400, old + 86400);
    REQUIRE(usage.ok());
    REQUIRE(usage->devices.size() == 1);
    CHECK(usage->devices[0].heartbeats == 2);
    auto stats = s.storage_stats();
    REQUIRE(stats.ok());
    CHECK(stats->evidence_rows == 1);
    // A change of zone rebuilds only the months whose evidence is still whole: the dropped
    // month keeps its rows, the recent one is recomputed.
    auto settings = s.tenant_settings("acme");
    REQUIRE(settings.ok());
    settings->time_zone = "America/New_York";
    REQUIRE(s.update_tenant_settings(*settings).ok());
    usage = s.usage("acme", old - 86400, old + 86400);
    REQUIRE(usage.ok());
    REQUIRE(usage->devices.size() == 1);
    CHECK(usage->devices[0].heartbeats == 2);
    usage = s.usage("acme", kNow - 2 * 86400, kNow + 86400);
    REQUIRE(usage.ok());
    REQUIRE(usage->devices.size() == 1);
    CHECK(usage->devices[0].heartbeats == 1);
}

}  // namespace
