// Spool acknowledgements against a server that misbehaves (issue 13): an ack past the last
// record is refused and deletes nothing, a server that forgot gets back what the spool still
// holds plus one "server_lost" gap, pairing again continues after the server's seqs, and a
// counter that contradicts the records refuses to open instead of guessing.

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/spool/segment_name.h"
#include "agent/spool/spool.h"
#include "pairing/heartbeat.h"
#include "platform/posix/posix_file_system.h"
#include "temp_dir.h"

using namespace tally::agent;
using namespace tally::agent::spool;
namespace fs = std::filesystem;

namespace {

void append_n(Spool& s, int n) {
    for (int i = 0; i < n; ++i) {
        tally::pairing::Heartbeat hb;
        hb.seq = s.next_seq();
        hb.start = 1'800'000'000 + static_cast<std::int64_t>(hb.seq) * 300;
        hb.end = hb.start + 300;
        hb.boot_id = "boot-0123456789";
        hb.device_active_minutes = 3;
        hb.users = {{"alice@example.com", false, "x11", 3}};
        hb.prev = s.last_chain_hash();
        REQUIRE(s.append_heartbeat(hb.seq, tally::pairing::encode_heartbeat(hb)).ok());
    }
}

std::size_t segment_count(const fs::path& state) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(state / "spool"))
        n += parse_segment_name(e.path().filename().string()) ? 1 : 0;
    return n;
}

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("spool acks: an ack past the last record is refused and deletes nothing", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto s = Spool::open(files, dir.path()).value();
    append_n(*s, 3);
    auto r = s->ack(1'000'000'000);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "spool_invariant");
    CHECK(r.error().message.find("1000000000") != std::string::npos);
    CHECK(s->acked_through() == 0);
    CHECK(s->queued() == 3);
    CHECK(s->next_seq() == 4);  // never skips seqs
    REQUIRE(s->ack(3).ok());
    CHECK(s->queued() == 0);
}

TEST_CASE("spool acks: a server that forgot gets the held heartbeats again and one gap",
          "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    const SpoolOptions small{1 << 20, 4096};  // ~10 heartbeats per segment
    std::uint64_t held_from = 0;
    {
        auto s = Spool::open(files, dir.path(), small).value();
        append_n(*s, 40);
        const std::size_t before = segment_count(dir.path());
        REQUIRE(s->ack(35).ok());
        REQUIRE(segment_count(dir.path()) < before);  // the oldest segments are gone
        auto lost = s->server_forgot(12);
        REQUIRE(lost.ok());
        CHECK(lost->reason == "server_lost");
        CHECK(lost->from_seq == 13);
        held_from = lost->to_seq + 1;
        CHECK(held_from > 13);
        CHECK(held_from <= 36);
        CHECK(s->acked_through() == 12);
        CHECK(s->gaps_declared() == held_from - 13);
        auto p = s->pending(100);
        REQUIRE(p.ok());
        REQUIRE(p->gaps.size() == 1);
        CHECK(p->gaps[0].from_seq == 13);
        CHECK(p->gaps[0].to_seq == held_from - 1);
        CHECK(p->gaps[0].reason == "server_lost");
        REQUIRE_FALSE(p->heartbeats.empty());
        CHECK(p->heartbeats.front().seq == held_from);  // resent, not renumbered
        CHECK(p->heartbeats.back().seq == 40);
        CHECK(s->next_seq() == 41);
        // Going back further declares only what no gap or record covers yet.
        auto again = s->server_forgot(5);
        REQUIRE(again.ok());
        CHECK(again->from_seq == 6);
        CHECK(again->to_seq == 12);
    }
    auto s = Spool::open(files, dir.path(), small).value();
    CHECK(s->acked_through() == 5);
    CHECK(s->next_seq() == 41);
    auto p = s->pending(100);
    REQUIRE(p.ok());
    REQUIRE(p->gaps.size() == 1);  // 6..12 and 13..held_from-1 merged, same reason
    CHECK(p->gaps[0].from_seq == 6);
    CHECK(p->gaps[0].to_seq == held_from - 1);
    REQUIRE(s->ack(40).ok());
    CHECK(s->queued() == 0);
    append_n(*s, 1);
    CHECK(s->last_seq() == 41);
}

TEST_CASE("spool acks: pairing again continues after the seqs the server holds", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    {
        auto s = Spool::open(files, dir.path()).value();
        append_n(*s, 3);
        REQUIRE(s->adopt_server_ack(40).ok());
        CHECK(s->next_seq() == 41);
        CHECK(s->queued() == 0);
        CHECK(segment_count(dir.path()) == 0);
    }
    auto s = Spool::open(files, dir.path()).value();
    CHECK(s->next_seq() == 41);
    append_n(*s, 1);
    CHECK(s->pending(10)->heartbeats.at(0).seq == 41);
}

TEST_CASE("spool acks: a corrupt counter refuses to open with a clear error", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    {
        auto s = Spool::open(files, dir.path()).value();
        append_n(*s, 3);
        REQUIRE(s->ack(2).ok());
    }
    SECTION("unreadable") {
        write_text(dir.path() / "spool" / "acked", "{\"acked_through\": \"x");
        auto s = Spool::open(files, dir.path());
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == "spool_invariant");
        CHECK(s.error().message.find("acked") != std::string::npos);
        CHECK(s.error().message.find("does not start") != std::string::npos);
    }
    SECTION("past the newest record") {
        write_text(dir.path() / "spool" / "acked", "{\"acked_through\": 50, \"chain_hash\": \"\"}");
        auto s = Spool::open(files, dir.path());
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == "spool_invariant");
        CHECK(s.error().message.find("50") != std::string::npos);
        CHECK(s.error().message.find("newest record in the spool is 3") != std::string::npos);
    }
}
