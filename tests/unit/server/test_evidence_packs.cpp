// Evidence packs (schema 12, server/store/evidence_pack_codec.h, evidence_packs.h): the purge
// moves a device-day of batches past the acceptance window into one row; every packed batch
// still re-verifies byte for byte, the chain across batches is still walked, a changed byte in
// a pack is found, packing is one transaction per chunk and a second run packs nothing.

#include <sqlite3.h>

#include <catch2/catch.hpp>

#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_compact.h"
#include "server/store/evidence_pack_codec.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kHours = 30;  // batches of 12 (an upload an hour) over two UTC days
// Nov 14 00:00Z: the first heartbeat starts here (kNow is Nov 15 12:00Z).
constexpr std::int64_t kFirst = kNow - 36 * 3600;

//! Writes `sql` (with blob `blob` bound to ?1 when given) through a second connection.
void write(ServerFixture& f, const std::string& sql, const std::string* blob = nullptr) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((f.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    if (blob != nullptr) {
        sqlite3_bind_blob(s, 1, blob->data(), static_cast<int>(blob->size()), SQLITE_TRANSIENT);
    }
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

//! One blob column of the first row of `sql`.
std::string read_blob(ServerFixture& f, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((f.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    std::string out(static_cast<const char*>(sqlite3_column_blob(s, 0)),
                    static_cast<std::size_t>(sqlite3_column_bytes(s, 0)));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

//! A device that sent 30 hourly batches of 12 (360 heartbeats, alice active in each).
struct Month {
    ServerFixture f;
    TestDevice d;
    std::vector<std::vector<std::string>> batches;
    Month() {
        f.pair(d);
        for (std::int64_t h = 0; h < kHours; ++h) {
            std::vector<std::string> hbs;
            for (std::int64_t i = 0; i < 12; ++i) {
                const auto end = kFirst + h * 3600 + (i + 1) * 300;
                hbs.push_back(d.next_heartbeat(end, 3, {user("alice", 3)}));
            }
            auto r = f.upload(d, d.batch(hbs), kFirst + (h + 1) * 3600 + 60);
            REQUIRE(r.ok());
            REQUIRE(r->ack.accepted == 12);
            batches.push_back(std::move(hbs));
        }
    }
    tally::Result<EvidencePurgeResult> purge(std::int64_t days = 40) {
        return f.store->purge_evidence(kNow + days * kDay, EvidencePolicy{400, 35});
    }
    EvidenceCheck verify() {
        auto check = f.store->verify_evidence("acme", "2026-11");
        REQUIRE(check.ok());
        return *check;
    }
};

}  // namespace

TEST_CASE("a pack gives back each batch, compact bodies rebuilding the exact signed bytes",
          "[evidence][packs]") {
    TestDevice d;
    d.device_id = "0d6f3a1e-5b7c-4e2a-9f10-2c3d4e5f6a7b";
    std::vector<evidence::PackedBatch> batches;
    std::vector<std::string> signed_bodies;
    for (int b = 0; b < 3; ++b) {
        std::vector<std::string> hbs;
        for (int i = 0; i < 12; ++i) {
            hbs.push_back(d.next_heartbeat(kNow + (12 * b + i) * 300, 2, {user("bob", 2)}));
        }
        const auto signed_body = d.batch(hbs);
        auto compact = evidence::compact(signed_body.body);
        REQUIRE(compact);
        evidence::PackedBatch p;
        p.id = 100 + b;
        p.kind = evidence::Kind::compact;
        p.counted = std::to_string(12 * b + 1) + "-" + std::to_string(12 * b + 12);
        p.first_seq = 12 * b + 1;
        p.last_seq = 12 * b + 12;
        p.first_start = kNow + 12 * b * 300 - 300;
        p.last_start = p.first_start + 11 * 300;
        p.received_at = p.last_start + 360;
        p.signature = std::string(64, static_cast<char>('a' + b));
        p.body = *compact;
        batches.push_back(p);
        signed_bodies.push_back(signed_body.body);
    }
    // A texts batch (a bundle import) is held as stored.
    evidence::PackedBatch texts = batches.back();
    texts.id = 7;
    texts.kind = evidence::Kind::texts;
    texts.signature.clear();
    texts.body = evidence::encode_texts({"{\"seq\":37}"});
    batches.push_back(texts);

    const auto packed = evidence::encode_pack(batches);
    CHECK(packed.signatures.size() == 3 * 64);
    auto back = evidence::decode_pack(packed.body, packed.signatures);
    REQUIRE(back.ok());
    REQUIRE(back->size() == 4);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& b = (*back)[i];
        CHECK(b.id == batches[i].id);
        CHECK(b.kind == evidence::Kind::compact_raw);
        CHECK(b.counted == batches[i].counted);
        CHECK(b.first_seq == batches[i].first_seq);
        CHECK(b.last_seq == batches[i].last_seq);
        CHECK(b.first_start == batches[i].first_start);
        CHECK(b.last_start == batches[i].last_start);
        CHECK(b.received_at == batches[i].received_at);
        CHECK(b.signature == batches[i].signature);
        CHECK(b.body == *evidence::inflate(batches[i].body));
        auto rebuilt = evidence::rebuild_raw(b.body, true);
        REQUIRE(rebuilt.ok());
        CHECK(rebuilt->body == signed_bodies[i]);
        CHECK(rebuilt->heartbeats.size() == 12);
    }
    // Inside the pack, batch 2's first prev (the chain hash of batch 1's last heartbeat) is
    // cut and put back; another hash is not cut, and a cut one cannot be read alone.
    const auto raw1 = *evidence::inflate(batches[1].body);
    const auto last0 = evidence::rebuild_raw(*evidence::inflate(batches[0].body), false);
    REQUIRE(last0.ok());
    const auto prev = tally::pairing::chain_hash(last0->heartbeats.back());
    const auto cut = evidence::drop_first_prev(raw1, prev);
    REQUIRE(cut);
    CHECK(cut->size() == raw1.size() - 64);
    CHECK(!evidence::drop_first_prev(raw1, std::string(64, '0')));
    CHECK(evidence::restore_first_prev(*cut, prev).value() == raw1);
    CHECK(!evidence::restore_first_prev(*cut, "").ok());
    CHECK(!evidence::rebuild_raw(*cut, false).ok());
    CHECK((*back)[3].kind == evidence::Kind::texts);
    CHECK((*back)[3].body == texts.body);
    CHECK((*back)[3].signature.empty());
    // Deflated together, the three compact bodies take less than apart.
    CHECK(packed.body.size() < batches[0].body.size() + batches[1].body.size() +
                                   batches[2].body.size() + batches[3].body.size());

    SECTION("a signature too few or too many, or a cut stream, is an error") {
        CHECK(!evidence::decode_pack(packed.body, packed.signatures.substr(1)).ok());
        CHECK(!evidence::decode_pack(packed.body, packed.signatures + "x").ok());
        CHECK(
            !evidence::decode_pack(packed.body.substr(0, packed.body.size() - 9), packed.signatures)
                 .ok());
        CHECK(evidence::decode_pack("not a pack", "").error().code == "bad_evidence");
    }
}

TEST_CASE("the purge packs a device-day of batches past the window; all still verifies",
          "[evidence][packs]") {
    Month m;
    const auto before = m.f.counted_bytes();
    REQUIRE(before.size() == 360);
    const auto minutes = m.f.count("SELECT sum(active_minutes) FROM rollup_user_month");

    // Before the days are over and a day of margin, nothing is packed (bodies are compacted).
    auto early = m.purge(0);
    REQUIRE(early.ok());
    CHECK(early->batches_compacted == kHours);
    CHECK(early->batches_packed == 0);
    const auto apart = m.f.count(
        "SELECT sum(length(body) + length(signature) + length(counted))"
        " FROM evidence_batches");

    auto purged = m.purge();
    REQUIRE(purged.ok());
    CHECK(purged->batches_packed == kHours);
    CHECK(purged->packs_written == 2);  // Nov 14 and Nov 15 (UTC)
    CHECK(m.f.count("SELECT count(*) FROM evidence_batches") == 0);
    CHECK(m.f.count("SELECT count(*) FROM evidence_packs") == 2);
    CHECK(m.f.count("SELECT sum(batches) FROM evidence_packs") == kHours);
    CHECK(m.f.count("SELECT sum(length(body) + length(signatures)) FROM evidence_packs") < apart);
    CHECK(m.f.count("SELECT evidence_floor FROM devices") == 360);
    CHECK(m.f.counted_bytes() == before);

    const auto check = m.verify();
    CHECK(check.ok());
    CHECK(check.batches == kHours);
    CHECK(check.signatures_ok == kHours);
    CHECK(check.heartbeats == 360);
    CHECK(check.links_checked == 360);  // across batches and packs too
    CHECK(check.rollup_differences.empty());

    // A second run packs nothing; an old batch again is a duplicate, a new heartbeat counts.
    auto again = m.purge(41);
    REQUIRE(again.ok());
    CHECK(again->batches_packed == 0);
    CHECK(m.f.count("SELECT count(*) FROM evidence_packs") == 2);
    const auto later = kNow + 41 * kDay;
    auto retry = m.f.upload(m.d, m.d.batch(m.batches[3]), later);
    REQUIRE(retry.ok());
    CHECK(retry->ack.duplicates == 12);
    CHECK(retry->ack.accepted == 0);
    auto fresh = m.f.upload(m.d, m.d.batch({m.d.next_heartbeat(later - 60, 3)}), later);
    REQUIRE(fresh.ok());
    CHECK(fresh->ack.accepted == 1);
    CHECK(fresh->ack.acked_through == 361);
    CHECK(m.f.count("SELECT sum(active_minutes) FROM rollup_user_month") == minutes);

    // Past the retention the packs go whole; the rollups stay.
    auto gone = m.purge(402);
    REQUIRE(gone.ok());
    CHECK(gone->batches_deleted == kHours);
    CHECK(m.f.count("SELECT count(*) FROM evidence_packs WHERE first_seq <= 360") == 0);
    CHECK(m.f.count("SELECT sum(active_minutes) FROM rollup_user_month") == minutes);
}

TEST_CASE("a changed byte in a pack's body or signatures is found by verify-evidence",
          "[evidence][packs]") {
    Month m;
    REQUIRE(m.purge().ok());
    REQUIRE(m.verify().ok());
    const auto pack = m.f.count("SELECT min(id) FROM evidence_packs");
    const auto where = " FROM evidence_packs WHERE id = " + std::to_string(pack);

    SECTION("a signature byte") {
        auto sigs = read_blob(m.f, "SELECT signatures" + where);
        sigs[70] = static_cast<char>(sigs[70] ^ 1);
        write(m.f, "UPDATE evidence_packs SET signatures = ?1 WHERE id = " + std::to_string(pack),
              &sigs);
        const auto check = m.verify();
        CHECK(!check.ok());
        CHECK(check.signatures_ok == kHours - 1);
        REQUIRE(check.problems.size() == 1);
        CHECK(check.problems[0].what.find("in evidence pack") != std::string::npos);
    }
    SECTION("a byte of a packed heartbeat (the pack still decodes)") {
        auto batches = evidence::decode_pack(read_blob(m.f, "SELECT body" + where),
                                             read_blob(m.f, "SELECT signatures" + where));
        REQUIRE(batches.ok());
        auto& body = (*batches)[1].body;
        const auto at = body.find("\"boot_id\"");
        REQUIRE(at != std::string::npos);
        body[at + 11] = static_cast<char>(body[at + 11] ^ 1);  // a boot id's first letter
        const auto changed = evidence::encode_pack(*batches);
        write(m.f, "UPDATE evidence_packs SET body = ?1 WHERE id = " + std::to_string(pack),
              &changed.body);
        const auto check = m.verify();
        CHECK(!check.ok());
        CHECK(check.signatures_ok == kHours - 1);
    }
    SECTION("a byte of the stream (the pack no longer decodes)") {
        auto body = read_blob(m.f, "SELECT body" + where);
        body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x10);
        write(m.f, "UPDATE evidence_packs SET body = ?1 WHERE id = " + std::to_string(pack), &body);
        const auto check = m.verify();
        CHECK(!check.ok());
        CHECK(!check.problems.empty());
    }
}

TEST_CASE("a pack and the deletion of its batches commit together", "[evidence][packs]") {
    Month m;
    REQUIRE(m.purge(0).ok());  // compacted, not packed
    // The last batch's deletion fails: the chunk (both packs) rolls back.
    write(m.f,
          "CREATE TRIGGER fail_delete BEFORE DELETE ON evidence_batches WHEN old.id ="
          " (SELECT max(id) FROM evidence_batches) BEGIN SELECT RAISE(ABORT, 'injected'); END");
    auto failed = m.purge();
    CHECK(!failed.ok());
    CHECK(m.f.count("SELECT count(*) FROM evidence_packs") == 0);
    CHECK(m.f.count("SELECT count(*) FROM evidence_batches") == kHours);
    CHECK(m.f.count("SELECT evidence_floor FROM devices") == 0);
    CHECK(m.verify().ok());
    write(m.f, "DROP TRIGGER fail_delete");
    auto packed = m.purge();
    REQUIRE(packed.ok());
    CHECK(packed->batches_packed == kHours);
    const auto check = m.verify();
    CHECK(check.ok());
    CHECK(check.signatures_ok == kHours);
}

TEST_CASE("the user purge redacts packed evidence", "[evidence][packs]") {
    Month m;
    REQUIRE(m.purge().ok());
    // alice: released 30 days after her last signal (Nov 15), purged 90 days later.
    auto purged = m.f.store->purge_users(kNow + 130 * kDay);
    REQUIRE(purged.ok());
    CHECK(purged->users_purged == 1);
    for (const auto& bytes : m.f.counted_bytes()) {
        CHECK(bytes.find("alice") == std::string::npos);
    }
    CHECK(m.f.counted() == 360);
    const auto check = m.verify();
    CHECK(check.ok());
    CHECK(check.redacted == 360);
    CHECK(check.unsigned_batches == kHours);
}

TEST_CASE("a day is packed a day after it ends; its short hashes still tell duplicates and forks",
          "[evidence][packs]") {
    Month m;
    const auto minutes = m.f.count("SELECT sum(active_minutes) FROM rollup_user_month");
    // Nov 17 12:00Z: Nov 14 and 15 ended more than a day ago, well inside the 35-day window.
    auto packed = m.purge(2);
    REQUIRE(packed.ok());
    CHECK(packed->batches_packed == kHours);
    CHECK(packed->packs_written == 2);
    CHECK(packed->batches_pruned == 0);
    CHECK(m.f.count("SELECT count(*) FROM evidence_batches") == 0);
    CHECK(m.f.count("SELECT count(*) FROM evidence_pack_hashes") == 2);
    CHECK(m.f.count("SELECT sum(length(hashes)) FROM evidence_pack_hashes") == 360 * 8);
    CHECK(m.verify().signatures_ok == kHours);

    const auto later = kNow + 2 * kDay + 600;
    SECTION("a batch of a packed day again: duplicates, acked, nothing counts twice") {
        auto retry = m.f.upload(m.d, m.d.batch(m.batches[3]), later);
        REQUIRE(retry.ok());
        CHECK(retry->ack.duplicates == 12);
        CHECK(retry->ack.accepted == 0);
        CHECK(retry->forks == 0);
        CHECK(retry->ack.acked_through == 360);
    }
    SECTION("other bytes for a packed seq: a fork, recorded, not counted") {
        auto hb = tally::pairing::decode_heartbeat(m.batches[3][4]);
        REQUIRE(hb);
        hb->device_active_minutes = 1;
        hb->users.clear();
        auto fork = m.f.upload(m.d, m.d.batch({tally::pairing::encode_heartbeat(*hb)}), later);
        REQUIRE(fork.ok());
        CHECK(fork->forks == 1);
        CHECK(fork->ack.accepted == 0);
        CHECK(m.f.count("SELECT count(*) FROM forks") == 1);
    }
    SECTION("a late batch of a packed day stays a row, then becomes a second pack of the day") {
        // Seq 361 onwards, started on Nov 15 (a device that was offline), sent now.
        std::vector<std::string> late;
        for (std::int64_t i = 0; i < 12; ++i) {
            late.push_back(m.d.next_heartbeat(kFirst + 31 * 3600 + (i + 1) * 300, 3));
        }
        auto r = m.f.upload(m.d, m.d.batch(late), later);
        REQUIRE(r.ok());
        CHECK(r->ack.accepted == 12);
        CHECK(m.f.count("SELECT count(*) FROM evidence_batches") == 1);
        auto again = m.purge(3);
        REQUIRE(again.ok());
        CHECK(again->batches_packed == 1);
        CHECK(m.f.count("SELECT count(*) FROM evidence_packs") == 3);
        auto retry = m.f.upload(m.d, m.d.batch(late), kNow + 3 * kDay);
        REQUIRE(retry.ok());
        CHECK(retry->ack.duplicates == 12);
        CHECK(m.verify().signatures_ok == kHours + 1);
    }
    CHECK(m.f.count("SELECT sum(active_minutes) FROM rollup_user_month") == minutes);

    // Past the window the hashes beside the packs go; the floor answers the seqs.
    auto pruned = m.purge(40);
    REQUIRE(pruned.ok());
    CHECK(pruned->batches_pruned >= kHours);
    CHECK(m.f.count("SELECT count(*) FROM evidence_pack_hashes") == 0);
    auto old = m.f.upload(m.d, m.d.batch(m.batches[3]), kNow + 40 * kDay);
    REQUIRE(old.ok());
    CHECK(old->ack.duplicates == 12);
    CHECK(m.verify().ok());
}
