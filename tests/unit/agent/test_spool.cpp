// Spool on a real file system (PosixFileSystem): durability bookkeeping, acknowledgements,
// rotation, repair of torn and corrupt segments, and the size bound's declared gap.

#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "agent/spool/segment_name.h"
#include "agent/spool/spool.h"
#include "pairing/heartbeat.h"
#include "platform/posix/posix_file_system.h"
#include "temp_dir.h"

using namespace tally::agent;
using namespace tally::agent::spool;
namespace fs = std::filesystem;

namespace {

//! Makes a chain of encoded heartbeats as the agent would.
struct Chain {
    std::uint64_t seq = 1;
    std::string prev = tally::pairing::kGenesisPrev;
    std::vector<std::string> made;

    std::string next() {
        tally::pairing::Heartbeat hb;
        hb.seq = seq++;
        hb.start = 1'800'000'000 + static_cast<std::int64_t>(hb.seq) * 300;
        hb.end = hb.start + 300;
        hb.boot_id = "boot-0123456789";
        hb.uptime_s = hb.seq * 300;
        hb.device_active_minutes = 3;
        hb.users = {{"alice@example.com", false, "x11", 3}, {"bob", true, "ssh", 1}};
        hb.prev = prev;
        std::string bytes = tally::pairing::encode_heartbeat(hb);
        prev = tally::pairing::chain_hash(bytes);
        made.push_back(bytes);
        return bytes;
    }
};

std::vector<fs::path> segments(const fs::path& state) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(state / "spool")) {
        if (parse_segment_name(e.path().filename().string()))
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void append_n(Spool& s, Chain& c, int n) {
    for (int i = 0; i < n; ++i) {
        std::uint64_t seq = c.seq;
        REQUIRE(s.append_heartbeat(seq, c.next()).ok());
    }
}

std::unique_ptr<Spool> open_spool(tally::agent::FileSystem& files, const fs::path& state,
                                  SpoolOptions o = {}) {
    auto s = Spool::open(files, state, o);
    REQUIRE(s.ok());
    return std::move(*s);
}

}  // namespace

TEST_CASE("spool: append, reopen, pending in order", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    Chain c;
    {
        auto s = open_spool(files, dir.path());
        CHECK(s->next_seq() == 1);
        CHECK(s->last_chain_hash() == tally::pairing::kGenesisPrev);
        append_n(*s, c, 3);
        CHECK(s->queued() == 3);
        CHECK_FALSE(s->append_heartbeat(9, c.next()).ok());  // not the next seq
        c.seq = 4;
        c.prev = tally::pairing::chain_hash(c.made[2]);
        c.made.pop_back();
    }
    auto s = open_spool(files, dir.path());
    CHECK(s->problems().empty());
    CHECK(s->next_seq() == 4);
    CHECK(s->last_chain_hash() == tally::pairing::chain_hash(c.made[2]));
    auto p = s->pending(10);
    REQUIRE(p.ok());
    REQUIRE(p->heartbeats.size() == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(p->heartbeats[i].seq == static_cast<std::uint64_t>(i + 1));
        CHECK(p->heartbeats[i].bytes == c.made[i]);
    }
    CHECK(p->gaps.empty());
    CHECK(s->pending(2)->heartbeats.size() == 2);
    CHECK(segments(dir.path()).front().filename() == "seg-00000000000000000001.log");
}

TEST_CASE("spool: ack deletes acknowledged segments and survives reopen", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    Chain c;
    {
        auto s = open_spool(files, dir.path());
        append_n(*s, c, 3);
        REQUIRE(s->ack(2).ok());
        CHECK(s->acked_through() == 2);
        CHECK(s->queued() == 1);
        auto p = s->pending(10);
        REQUIRE(p->heartbeats.size() == 1);
        CHECK(p->heartbeats[0].seq == 3);
        CHECK(segments(dir.path()).size() == 1);  // still holds seq 3
    }
    {
        auto s = open_spool(files, dir.path());
        CHECK(s->acked_through() == 2);
        CHECK(s->pending(10)->heartbeats.size() == 1);
        REQUIRE(s->ack(3).ok());
        CHECK(segments(dir.path()).empty());
        CHECK(s->bytes() == 0);
    }
    auto s = open_spool(files, dir.path());
    CHECK(s->next_seq() == 4);              // never reuses an acknowledged seq
    CHECK(s->last_chain_hash() == c.prev);  // the chain continues from the acked file
    CHECK(s->pending(10)->heartbeats.empty());
    append_n(*s, c, 1);
    CHECK(s->pending(10)->heartbeats.at(0).seq == 4);
}

TEST_CASE("spool: rotation and per-segment deletion", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    Chain c;
    auto s = open_spool(files, dir.path(), {1 << 20, 4096});
    append_n(*s, c, 60);
    auto segs = segments(dir.path());
    REQUIRE(segs.size() >= 3);
    for (const auto& p : segs)
        CHECK(fs::file_size(p) <= 4096);
    std::uint64_t total = 0;
    for (const auto& p : segs)
        total += fs::file_size(p);
    CHECK(s->bytes() == total);
    REQUIRE(s->pending(100)->heartbeats.size() == 60);

    // Acknowledge up to the end of the first segment plus one record: only it goes.
    auto second_first = parse_segment_name(segs[1].filename().string());
    REQUIRE(second_first);
    REQUIRE(s->ack(*second_first).ok());
    auto after = segments(dir.path());
    CHECK(after.size() == segs.size() - 1);
    CHECK(after.front() == segs[1]);
    CHECK(s->pending(100)->heartbeats.front().seq == *second_first + 1);
    CHECK(s->queued() == 60 - *second_first);
}

TEST_CASE("spool: a torn tail is cut on open", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    Chain c;
    {
        auto s = open_spool(files, dir.path());
        append_n(*s, c, 3);
    }
    auto seg = segments(dir.path()).at(0);
    auto good_size = fs::file_size(seg);
    SECTION("garbage after the last record") {
        std::ofstream(seg, std::ios::binary | std::ios::app) << std::string("\x40\x00\x00", 3);
        auto s = open_spool(files, dir.path());
        CHECK_FALSE(s->problems().empty());
        CHECK(fs::file_size(seg) == good_size);
        CHECK(s->next_seq() == 4);
        CHECK(s->last_chain_hash() == c.prev);
        std::uint64_t seq = c.seq;
        REQUIRE(s->append_heartbeat(seq, c.next()).ok());
        auto again = open_spool(files, dir.path());
        CHECK(again->problems().empty());
        CHECK(again->pending(10)->heartbeats.size() == 4);
    }
    SECTION("the last record written halfway") {
        fs::resize_file(seg, good_size - 20);
        auto s = open_spool(files, dir.path());
        CHECK_FALSE(s->problems().empty());
        CHECK(s->next_seq() == 3);
        CHECK(s->last_chain_hash() == tally::pairing::chain_hash(c.made[1]));
        CHECK(s->pending(10)->heartbeats.size() == 2);
        CHECK(fs::file_size(seg) < good_size - 20);
    }
}

TEST_CASE("spool: a corrupt older segment is moved aside and declared as a gap", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    Chain c;
    {
        auto s = open_spool(files, dir.path(), {1 << 20, 4096});
        append_n(*s, c, 40);
    }
    auto segs = segments(dir.path());
    REQUIRE(segs.size() >= 3);
    auto victim = segs[1];
    auto victim_first = *parse_segment_name(victim.filename().string());
    auto next_first = *parse_segment_name(segs[2].filename().string());
    {
        // Flip one byte inside the second record of the victim segment.
        std::fstream f(victim, std::ios::binary | std::ios::in | std::ios::out);
        auto size = fs::file_size(victim);
        f.seekg(static_cast<std::streamoff>(size / 2));
        char ch = 0;
        f.read(&ch, 1);
        f.seekp(static_cast<std::streamoff>(size / 2));
        ch = static_cast<char>(ch ^ 0x5a);
        f.write(&ch, 1);
    }
    auto s = open_spool(files, dir.path(), {1 << 20, 4096});
    CHECK_FALSE(s->problems().empty());
    bool copied = false;
    for (const auto& e : fs::directory_iterator(dir.path() / "spool")) {
        if (e.is_directory() && e.path().filename().string().rfind("corrupt-", 0) == 0) {
            copied = fs::exists(e.path() / victim.filename());
        }
    }
    CHECK(copied);
    CHECK(s->gaps_declared() == 5);  // heartbeats 16..20, counted one by one
    CHECK(s->next_seq() == 41);
    auto p = s->pending(1000);
    REQUIRE(p.ok());
    REQUIRE(p->gaps.size() == 1);
    const auto& gap = p->gaps[0];
    CHECK(gap.reason == "spool_corrupt");
    CHECK(gap.from_seq > victim_first);  // the good prefix is kept
    CHECK(gap.to_seq == next_first - 1);
    // Every seq is either still in the spool or declared lost, exactly once.
    std::set<std::uint64_t> seen;
    for (const auto& hb : p->heartbeats)
        CHECK(seen.insert(hb.seq).second);
    for (auto q = gap.from_seq; q <= gap.to_seq; ++q)
        CHECK(seen.insert(q).second);
    CHECK(seen.size() == 40);
    CHECK(*seen.begin() == 1);
    CHECK(*seen.rbegin() == 40);
    // The gap record itself survives a reopen.
    auto again = open_spool(files, dir.path(), {1 << 20, 4096});
    CHECK(again->pending(1000)->gaps.size() == 1);
}

TEST_CASE("spool: over the bound the oldest unsent heartbeats become one gap", "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    Chain c;
    const std::uint64_t max = 65536;
    auto s = open_spool(files, dir.path(), {max, 1 << 20});
    std::uint64_t record_size = 0;
    {
        std::uint64_t seq = c.seq;
        REQUIRE(s->append_heartbeat(seq, c.next()).ok());
        record_size = s->bytes();
    }
    int n = static_cast<int>(2 * max / record_size) + 5;
    append_n(*s, c, n - 1);
    CHECK(s->bytes() <= max + max / 4 + 64);
    CHECK(s->gaps_declared() >= 1);
    auto p = s->pending(100000);
    REQUIRE(p.ok());
    REQUIRE_FALSE(p->gaps.empty());
    std::set<std::uint64_t> seen;
    for (const auto& g : p->gaps) {
        CHECK(g.reason == "spool_full");
        for (auto q = g.from_seq; q <= g.to_seq; ++q)
            CHECK(seen.insert(q).second);
    }
    CHECK(*seen.begin() == 1);  // the oldest were dropped
    for (const auto& hb : p->heartbeats)
        CHECK(seen.insert(hb.seq).second);
    CHECK(seen.size() == static_cast<std::size_t>(n));
    CHECK(p->heartbeats.back().seq == static_cast<std::uint64_t>(n));  // the newest are kept

    auto again = open_spool(files, dir.path(), {max, 1 << 20});
    CHECK(again->next_seq() == static_cast<std::uint64_t>(n) + 1);
    CHECK(again->pending(100000)->gaps == p->gaps);
    // Acknowledging past a gap removes it from what is pending.
    REQUIRE(again->ack(p->gaps.back().to_seq).ok());
    CHECK(again->pending(100000)->gaps.empty());
}

TEST_CASE("spool: a fresh spool replacing an unreadable one continues the seqs with a gap",
          "[spool]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    {
        auto s = open_spool(files, dir.path(), {1 << 20, 4096});
        REQUIRE(s->resume_after(10, 4, "spool_unreadable").ok());
        CHECK(s->next_seq() == 11);
        CHECK(s->acked_through() == 4);
        CHECK(s->gaps_declared() == 6);
        CHECK_FALSE(s->problems().empty());
        auto p = s->pending(100);
        REQUIRE(p.ok());
        REQUIRE(p->gaps.size() == 1);
        CHECK(p->gaps[0].from_seq == 5);
        CHECK(p->gaps[0].to_seq == 10);
        CHECK(p->gaps[0].reason == "spool_unreadable");
    }
    auto reopened = open_spool(files, dir.path(), {1 << 20, 4096});
    CHECK(reopened->next_seq() == 11);  // never reused after a restart either
    CHECK(reopened->acked_through() == 4);
}
