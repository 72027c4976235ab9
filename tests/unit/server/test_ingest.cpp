// POST /v1/heartbeats logic: real signed gzip batches into a real SQLite store.

#include <catch2/catch.hpp>

#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/ingest/retire_handler.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {
std::string error_of(const tally::Result<UploadOutcome>& r) {
    return r.ok() ? "ok" : r.error().code;
}
}  // namespace

TEST_CASE("an accepted batch is stored once and acknowledged", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    std::vector<std::string> hbs;
    for (int i = 0; i < 3; ++i) {
        hbs.push_back(dev.next_heartbeat(kNow - 900 + i * 300, 4, {user("alice", 3)}));
    }
    const auto body = dev.batch(hbs);
    auto first = f.upload(dev, body);
    REQUIRE(first.ok());
    CHECK(first->ack.acked_through == 3);
    CHECK(first->ack.accepted == 3);
    CHECK(first->ack.duplicates == 0);
    CHECK(first->ack.server_time == kNow);

    SECTION("a replayed batch answers the same ack and counts nothing twice") {
        auto replay = f.upload(dev, body, kNow + 10);
        REQUIRE(replay.ok());
        CHECK(replay->ack.acked_through == 3);
        CHECK(replay->ack.accepted == 0);
        CHECK(replay->ack.duplicates == 3);
        CHECK(f.counted() == 3);
        std::size_t users = 0;
        for (const auto& bytes : f.counted_bytes()) {
            users += tally::pairing::decode_heartbeat(bytes)->users.size();
        }
        CHECK(users == 3);
        CHECK(f.count("SELECT suspected_clone FROM devices") == 0);
    }
    SECTION("the stored bytes are the exact bytes sent, with their numbers") {
        const auto stored = f.counted_bytes();
        REQUIRE(stored.size() == 3);
        std::int64_t minutes = 0;
        for (const auto& bytes : stored) {
            minutes += tally::pairing::decode_heartbeat(bytes)->device_active_minutes;
        }
        CHECK(minutes == 12);
        CHECK(stored[1] == hbs[1]);
        CHECK(tally::pairing::decode_heartbeat(stored[1])->start == kNow - 900);
        // Kept as the signed body the device sent, with its signature.
        CHECK(f.count("SELECT count(*) FROM evidence_batches WHERE kind = 0 AND body = "
                      "(SELECT body FROM evidence_batches) AND length(signature) = 64") == 1);
        CHECK(f.count("SELECT last_seq FROM devices") == 3);
    }
}

TEST_CASE("a batch signed by another key is refused and nothing is stored", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    TestDevice intruder;
    auto body = dev.batch({dev.next_heartbeat(kNow)});
    body.signature = intruder.sign(body.body).signature;
    CHECK(error_of(f.upload(dev, body)) == "bad_signature");

    SECTION("a flipped byte breaks the signature too") {
        auto good = dev.batch({dev.next_heartbeat(kNow)});
        good.body[good.body.size() / 2] ^= 0x01;
        CHECK(error_of(f.upload(dev, good)) == "bad_signature");
    }
    SECTION("unknown device and missing headers") {
        TestDevice ghost;
        ghost.device_id = "dev_doesnotexist";
        CHECK(error_of(f.upload(ghost, ghost.batch({}))) == "unknown_device");
        UploadRequest no_sig{dev.device_id, "", "gzip", body.body};
        CHECK(handle_upload(*f.store, no_sig, kNow, f.options).error().code == "bad_signature");
    }
    CHECK(f.counted() == 0);
}

TEST_CASE("bad bodies are refused with the right code and nothing is stored", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);

    SECTION("gzip bomb: inflates past the cap") {
        f.options.max_inflated_bytes = 1024 * 1024;
        const std::string zeros(8 * 1024 * 1024, '0');
        const auto body = dev.sign(tally::pairing::gzip_compress(zeros, 9));
        REQUIRE(body.body.size() < 64 * 1024);
        CHECK(error_of(f.upload(dev, body)) == "payload_too_large");
    }
    SECTION("truncated gzip") {
        auto whole = tally::pairing::gzip_compress("{\"device_id\":\"" + dev.device_id +
                                                   "\",\"sent_at\":\"2026-11-15T12:00:00Z\"," +
                                                   "\"heartbeats\":[],\"gaps\":[]}");
        const auto body = dev.sign(whole.substr(0, whole.size() - 6));
        CHECK(error_of(f.upload(dev, body)) == "bad_gzip");
    }
    SECTION("not gzip at all") {
        CHECK(error_of(f.upload(dev, dev.sign("\x1f\x8bnot really gzip"))) == "bad_gzip");
    }
    SECTION("malformed JSON") {
        auto r = f.upload(dev, dev.sign(tally::pairing::gzip_compress("{not json")));
        CHECK(error_of(r) == "bad_request");
    }
    SECTION("a heartbeat that does not decode") {
        auto hb = dev.next_heartbeat(kNow);
        hb.replace(hb.find("\"seq\":1"), 7, "\"seq\":0");
        CHECK(error_of(f.upload(dev, dev.batch({hb}))) == "bad_request");
    }
    SECTION("device_id in the batch differs from the header") {
        TestDevice other;
        f.pair(other);
        auto body = other.batch({other.next_heartbeat(kNow)});
        body.signature = dev.sign(body.body).signature;
        auto r = f.upload(dev, body);
        CHECK(error_of(r) == "bad_request");
    }
    CHECK(f.counted() == 0);
}

TEST_CASE("the time window holds future and too-old heartbeats uncounted", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);

    SECTION("in the future") {
        const auto hb = dev.next_heartbeat(kNow + 6 * 60);
        auto r = f.upload(dev, dev.batch({hb}));
        REQUIRE(r.ok());
        CHECK(r->ack.accepted == 0);
        CHECK(r->ack.out_of_window == 1);
        CHECK(r->ack.acked_through == 1);  // held: the agent must not wedge on it
        CHECK(f.count("SELECT count(*) FROM held_heartbeats") == 1);
    }
    SECTION("older than max_backfill_days") {
        const auto hb = dev.next_heartbeat(kNow - 36 * 86400);
        auto r = f.upload(dev, dev.batch({hb}));
        REQUIRE(r.ok());
        CHECK(r->ack.out_of_window == 1);
        CHECK(r->ack.acked_through == 1);
        // The same batch again is a duplicate, not a second held copy.
        auto again = f.upload(dev, dev.batch({hb}));
        REQUIRE(again.ok());
        CHECK(again->ack.duplicates == 1);
        CHECK(again->ack.out_of_window == 0);
        CHECK(f.count("SELECT count(*) FROM held_heartbeats") == 1);
    }
    SECTION("a mixed batch counts only the heartbeats inside the window") {
        const auto old = dev.next_heartbeat(kNow - 36 * 86400);
        const auto ok = dev.next_heartbeat(kNow - 60);
        auto r = f.upload(dev, dev.batch({old, ok}));
        REQUIRE(r.ok());
        CHECK(r->ack.accepted == 1);
        CHECK(r->out_of_window == 1);
        CHECK(r->ack.acked_through == 2);  // seq 1 is held as evidence
        CHECK(f.counted() == 1);
        return;
    }
    SECTION("at the edges: 5 min ahead and 35 days behind are accepted") {
        const auto a = dev.next_heartbeat(kNow - 35 * 86400);
        const auto b = dev.next_heartbeat(kNow + 5 * 60);
        auto r = f.upload(dev, dev.batch({a, b}));
        REQUIRE(r.ok());
        CHECK(r->ack.acked_through == 2);
        return;
    }
    CHECK(f.counted() == 0);
}

TEST_CASE("a seq seen again with different bytes is a fork: kept, flagged, counted once",
          "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto original = dev.next_heartbeat(kNow - 300, 5);
    REQUIRE(f.upload(dev, dev.batch({original})).ok());

    TestDevice clone_chain;  // same key material is what a clone has: re-sign with dev's key
    const auto forked = clone_chain.next_heartbeat(kNow - 300, 1);
    REQUIRE(forked != original);
    auto r = f.upload(dev, dev.batch({forked}));
    REQUIRE(r.ok());
    CHECK(r->forks == 1);
    CHECK(r->ack.accepted == 0);
    CHECK(r->ack.acked_through == 1);
    CHECK(f.count("SELECT suspected_clone FROM devices") == 1);
    CHECK(f.count("SELECT count(*) FROM forks") == 1);
    CHECK(f.counted() == 1);
    CHECK(tally::pairing::decode_heartbeat(f.counted_bytes().at(0))->device_active_minutes ==
          5);  // original kept
    // The same fork again adds no second copy of the evidence.
    REQUIRE(f.upload(dev, dev.batch({forked})).ok());
    CHECK(f.count("SELECT count(*) FROM forks") == 1);
}

TEST_CASE("the store writes a device's state only as the lifecycle decides",
          "[ingest][lifecycle]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    REQUIRE(f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 300, 5)})).ok());
    REQUIRE(f.store->retire_device(dev.device_id, "uninstall", kNow).ok());
    // A bundle imported after the retirement carries a fork (store_batch as the import calls
    // it): the fork is kept as evidence, the device stays retired, never suspected_clone.
    TestDevice clone_chain;
    const auto forked = clone_chain.next_heartbeat(kNow - 300, 1);
    auto decoded = tally::pairing::decode_heartbeat(forked);
    REQUIRE(decoded.ok());
    const std::vector<AcceptedHeartbeat> bundle = {{forked, *decoded, false}};
    auto r = f.store->store_batch(dev.device_id, bundle, {}, kNow + 10);
    REQUIRE(r.ok());
    CHECK(r->forks == 1);
    CHECK(f.count("SELECT count(*) FROM forks") == 1);
    CHECK(f.count("SELECT suspected_clone FROM devices") == 0);
    CHECK(f.count("SELECT retired_at FROM devices") == kNow);
    // Revoking a retired device is refused by the store's own transaction too (an admin
    // racing the agent's retire), and the first end is kept.
    auto revoke = f.store->retire_device(dev.device_id, "revoked", kNow + 20);
    REQUIRE_FALSE(revoke.ok());
    CHECK(revoke.error().code == "device_retired");
    REQUIRE(f.store->retire_device(dev.device_id, "uninstall", kNow + 30).ok());
    CHECK(f.count("SELECT retired_at FROM devices") == kNow);
    CHECK(f.count("SELECT count(*) FROM devices WHERE retire_reason = 'uninstall'") == 1);
}

TEST_CASE("declared gaps let the ack advance past lost seqs", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto h1 = dev.next_heartbeat(kNow - 1500);
    dev.next_heartbeat(kNow - 1200);  // 2, 3 and 4 lost
    dev.next_heartbeat(kNow - 900);
    dev.next_heartbeat(kNow - 600);
    const auto h5 = dev.next_heartbeat(kNow - 300);

    auto without_gap = f.upload(dev, dev.batch({h1, h5}));
    REQUIRE(without_gap.ok());
    CHECK(without_gap->ack.acked_through == 1);

    auto with_gap = f.upload(dev, dev.batch({}, {{2, 4, "spool_full"}}));
    REQUIRE(with_gap.ok());
    CHECK(with_gap->ack.acked_through == 5);
    CHECK(f.count("SELECT acked_through FROM devices") == 5);
    CHECK(f.count("SELECT count(*) FROM gaps") == 1);

    SECTION("a gap that is not a range is refused") {
        CHECK(error_of(f.upload(dev, dev.batch({}, {{7, 6, "spool_full"}}))) == "bad_request");
    }
}

TEST_CASE("a retired device's uploads are refused", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto body =
        dev.sign(tally::pairing::encode_retire_request({dev.device_id, kNow, "uninstall"}));
    auto retired = handle_retire(*f.store, dev.device_id, body.signature, body.body, kNow);
    REQUIRE(retired.ok());
    CHECK(f.count("SELECT retired_at IS NOT NULL FROM devices") == 1);
    CHECK(error_of(f.upload(dev, dev.batch({dev.next_heartbeat(kNow)}))) == "device_retired");

    TestDevice intruder;
    auto forged = body;
    forged.signature = intruder.sign(body.body).signature;
    CHECK(
        handle_retire(*f.store, dev.device_id, forged.signature, forged.body, kNow).error().code ==
        "bad_signature");
}

TEST_CASE("seqs beyond 2^53 are refused before they reach the database", "[ingest]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    dev.seq = (std::uint64_t{1} << 60) - 1;
    CHECK(error_of(f.upload(dev, dev.batch({dev.next_heartbeat(kNow)}))) == "bad_request");
    CHECK(error_of(f.upload(dev, dev.batch({}, {{1, std::uint64_t{1} << 60, "spool_full"}}))) ==
          "bad_request");
    CHECK(f.count("SELECT count(*) + (SELECT count(*) FROM gaps) FROM evidence_batches") == 0);
}
