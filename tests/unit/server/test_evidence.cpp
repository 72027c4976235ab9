// Bounded evidence (schema 10, server/store/evidence_batch.h): one row per accepted batch, the
// dedupe by short hash while a seq can still arrive and by watermark after, and the retention
// purge (injected clock: SqliteStore::purge_evidence takes `now`).

#include <catch2/catch.hpp>

#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_compact.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

constexpr std::int64_t kDay = 86400;

struct Sent {
    ServerFixture f;
    TestDevice d;
    std::vector<std::string> hbs;
    Sent() {
        f.pair(d);
        for (int i = 3; i >= 1; --i) {
            hbs.push_back(d.next_heartbeat(kNow - i * 300, 4, {user("alice", 4)}));
        }
        auto r = f.upload(d, d.batch(hbs));
        REQUIRE(r.ok());
        REQUIRE(r->ack.accepted == 3);
    }
    //! Seq 2 with other bytes (a clone's chain).
    std::string fork_of_2() {
        TestDevice other;
        other.next_heartbeat(kNow - 900);
        return other.next_heartbeat(kNow - 600, 1);
    }
    std::int64_t rolled_up() {
        return f.count("SELECT coalesce(sum(heartbeats), 0) FROM rollup_device_month");
    }
};

}  // namespace

TEST_CASE("one evidence row per batch that counts, none for a pure retry", "[evidence]") {
    Sent s;
    CHECK(s.f.count("SELECT count(*) FROM evidence_batches") == 1);
    CHECK(s.f.count("SELECT counted = '1-3' FROM evidence_batches") == 1);
    CHECK(s.f.count("SELECT length(hashes) FROM evidence_batches") == 3 * 8);
    auto retry = s.f.upload(s.d, s.d.batch(s.hbs), kNow + 10);
    REQUIRE(retry.ok());
    CHECK(retry->ack.duplicates == 3);
    CHECK(s.f.count("SELECT count(*) FROM evidence_batches") == 1);
    // A batch mixing a duplicate and a new heartbeat keeps the whole signed body; only the new
    // seq is counted by it.
    const auto fourth = s.d.next_heartbeat(kNow, 2);
    auto mixed = s.f.upload(s.d, s.d.batch({s.hbs[2], fourth}), kNow + 20);
    REQUIRE(mixed.ok());
    CHECK(mixed->ack.accepted == 1);
    CHECK(mixed->ack.duplicates == 1);
    CHECK(s.f.count("SELECT count(*) FROM evidence_batches WHERE counted = '4-4'") == 1);
    CHECK(s.f.counted() == 4);
    auto check = s.f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->signatures_ok == 2);
    CHECK(check->links_checked == 4);
}

TEST_CASE("short hashes tell forks while a seq can arrive; then the watermark answers",
          "[evidence]") {
    Sent s;
    auto fork = s.f.upload(s.d, s.d.batch({s.fork_of_2()}), kNow + 60);
    REQUIRE(fork.ok());
    CHECK(fork->forks == 1);
    CHECK(fork->ack.accepted == 0);

    // Past the acceptance window (35 days + a day's margin) the hashes are dropped.
    auto early = s.f.store->purge_evidence(kNow + 30 * kDay, EvidencePolicy{400, 35});
    REQUIRE(early.ok());
    CHECK(early->batches_pruned == 0);
    auto pruned = s.f.store->purge_evidence(kNow + 40 * kDay, EvidencePolicy{400, 35});
    REQUIRE(pruned.ok());
    CHECK(pruned->batches_pruned == 1);
    // Pruned, then packed (schema 12): the batch left evidence_batches for a pack, and the
    // device's evidence_floor answers its seqs.
    CHECK(s.f.count("SELECT count(*) FROM evidence_batches WHERE hashes IS NOT NULL") == 0);
    CHECK(s.f.count("SELECT count(*) FROM evidence_packs") == 1);
    CHECK(s.f.count("SELECT evidence_floor FROM devices") == 3);

    const auto later = kNow + 40 * kDay;
    SECTION("the agent re-sending acked seqs still gets its ack, nothing counts twice") {
        auto again = s.f.upload(s.d, s.d.batch(s.hbs), later);
        REQUIRE(again.ok());
        CHECK(again->ack.acked_through == 3);
        CHECK(again->ack.duplicates == 3);
        CHECK(again->ack.accepted == 0);
    }
    SECTION("a different body for an old seq is not counted") {
        auto other = s.f.upload(s.d, s.d.batch({s.fork_of_2()}), later);
        REQUIRE(other.ok());
        CHECK(other->ack.accepted == 0);
        CHECK(other->ack.duplicates == 1);
        CHECK(other->ack.acked_through == 3);
    }
    CHECK(s.f.counted() == 3);
    CHECK(s.rolled_up() == 3);
}

TEST_CASE("evidence past evidence_retention_days is deleted; the rollups stay", "[evidence]") {
    Sent s;
    const auto minutes = s.f.count("SELECT sum(active_minutes) FROM rollup_user_month");
    auto kept = s.f.store->purge_evidence(kNow + 399 * kDay, EvidencePolicy{400, 35});
    REQUIRE(kept.ok());
    CHECK(kept->batches_deleted == 0);
    CHECK(s.f.counted() == 3);

    const auto later = kNow + 401 * kDay;
    auto purged = s.f.store->purge_evidence(later, EvidencePolicy{400, 35});
    REQUIRE(purged.ok());
    CHECK(purged->batches_deleted == 1);
    CHECK(s.f.count("SELECT count(*) FROM evidence_batches") == 0);
    CHECK(s.rolled_up() == 3);
    CHECK(s.f.count("SELECT evidence_floor FROM devices") == 3);
    // The seqs are never counted again, whatever bytes come.
    auto again = s.f.upload(s.d, s.d.batch(s.hbs), later);
    REQUIRE(again.ok());
    CHECK(again->ack.accepted == 0);
    CHECK(again->ack.duplicates == 3);
    CHECK(again->ack.acked_through == 3);
    // A rebuild (a change of grace) keeps the months whose evidence is gone.
    auto settings = s.f.store->tenant_settings("acme");
    REQUIRE(settings.ok());
    settings->grace_hours = 24;
    REQUIRE(s.f.store->update_tenant_settings(*settings).ok());
    CHECK(s.rolled_up() == 3);
    CHECK(s.f.count("SELECT sum(active_minutes) FROM rollup_user_month") == minutes);
    // New heartbeats still count.
    auto fresh = s.f.upload(s.d, s.d.batch({s.d.next_heartbeat(later - 60, 3)}), later);
    REQUIRE(fresh.ok());
    CHECK(fresh->ack.accepted == 1);
    CHECK(fresh->ack.acked_through == 4);
}

TEST_CASE("purge_evidence refuses a retention under a day", "[evidence]") {
    ServerFixture f;
    CHECK(f.store->purge_evidence(kNow, EvidencePolicy{0, 35}).error().code == "bad_request");
}

TEST_CASE("signed bodies are compacted off the ingest path and still verify byte for byte",
          "[evidence]") {
    Sent s;
    std::vector<std::string> more;
    for (int i = 0; i < 12; ++i) {
        more.push_back(s.d.next_heartbeat(kNow + 300 * (i + 1), 3, {user("bob", 3)}));
    }
    REQUIRE(s.f.upload(s.d, s.d.batch(more), kNow + 3600).ok());
    const auto before = s.f.counted_bytes();
    const auto size = s.f.count("SELECT sum(length(body)) FROM evidence_batches");
    auto purged = s.f.store->purge_evidence(kNow + 3600, EvidencePolicy{400, 35});
    REQUIRE(purged.ok());
    CHECK(purged->batches_compacted == 2);
    CHECK(s.f.count("SELECT count(*) FROM evidence_batches WHERE kind = 3") == 2);
    CHECK(s.f.count("SELECT sum(length(body)) FROM evidence_batches") < size);
    CHECK(s.f.counted_bytes() == before);
    auto check = s.f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->signatures_ok == 2);
    // A retry is still a duplicate; a second purge finds nothing left to compact.
    auto retry = s.f.upload(s.d, s.d.batch(more), kNow + 3700);
    REQUIRE(retry.ok());
    CHECK(retry->ack.duplicates == 12);
    CHECK(s.f.store->purge_evidence(kNow + 3700, EvidencePolicy{400, 35})->batches_compacted == 0);
}

TEST_CASE("a body that does not re-deflate to its exact bytes stays as received", "[evidence]") {
    std::string text =
        R"({"device_id":"d","sent_at":"2026-11-15T10:00:00Z","heartbeats":[],"gaps":[]})";
    auto body = tally::pairing::gzip_compress(text, 6);
    REQUIRE(evidence::compact(body).has_value() == false);  // nothing to gain on an empty batch
    TestDevice d;
    d.device_id = "dev_compact";
    std::vector<std::string> hbs;
    for (int i = 0; i < 20; ++i) {
        hbs.push_back(d.next_heartbeat(kNow + 300 * i, 2));
    }
    const auto signed_body = d.batch(hbs).body;
    auto small = evidence::compact(signed_body);
    REQUIRE(small.has_value());
    auto back = evidence::rebuild(*small, true);
    REQUIRE(back.ok());
    CHECK(back->body == signed_body);
    CHECK(back->heartbeats == hbs);
    auto other = signed_body;
    other[8] = '\x02';  // XFL claims level 9: the level-6 stream is not what 9 makes
    CHECK_FALSE(evidence::compact(other).has_value());
}
