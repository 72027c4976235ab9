// Group commit under concurrency: one bad unit among many (a constraint failure after a
// write, an unknown device, a fork) gets its own answer; every other unit in the same group
// transactions is stored and acknowledged.

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "server/store/group_commit.h"
#include "server/store/sqlite_db.h"
#include "server_fixture.h"

using namespace tally;
using namespace tally::server;
using namespace tally::server::test;

TEST_CASE("group commit: a failing unit is rolled back alone, the others commit",
          "[store][group_commit]") {
    TempDir dir;
    auto db = SqliteDb::open((dir.path() / "g.db").string());
    REQUIRE(db);
    REQUIRE((*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    std::mutex db_mutex;
    GroupCommit gc(**db, db_mutex);

    constexpr int kThreads = 8;
    constexpr int kRounds = 25;
    std::atomic<int> ok{0}, failed{0}, wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int r = 0; r < kRounds; ++r) {
                const std::int64_t k = t * 1000 + r;
                const bool bad = t == 3;  // inserts a row, then violates NOT NULL
                auto res = gc.run([&]() -> Result<void> {
                    auto ins = (*db)->prepare("INSERT INTO t (k, v) VALUES (?, ?)");
                    if (!ins)
                        return ins.error();
                    if (auto s = ins->bind(1, k).bind(2, std::string_view("x")).run(); !s)
                        return s.error();
                    if (!bad)
                        return {};
                    auto nul = (*db)->prepare("INSERT INTO t (k, v) VALUES (?, NULL)");
                    if (!nul)
                        return nul.error();
                    return nul->bind(1, k + 500).run();
                });
                if (bool(res) == bad)
                    ++wrong;
                ++(res ? ok : failed);
            }
        });
    }
    for (auto& th : threads)
        th.join();
    CHECK(wrong == 0);
    CHECK(ok == (kThreads - 1) * kRounds);
    CHECK(failed == kRounds);
    auto count = (*db)->prepare("SELECT count(*), sum(k / 1000 = 3) FROM t");
    REQUIRE(count);
    REQUIRE(*count->step());
    CHECK(count->int64(0) == (kThreads - 1) * kRounds);
    CHECK(count->int64(1) == 0);  // the bad unit's first insert was undone too
}

TEST_CASE("group commit: concurrent store_batch with a fork and an unknown device",
          "[store][group_commit]") {
    ServerFixture f;
    std::vector<TestDevice> devices(5);  // the fixture code has 5 uses
    for (auto& d : devices)
        f.pair(d);
    // Each device: 20 batches of 2 heartbeats, decoded as the upload handler would.
    auto accepted = [](const std::string& bytes) {
        auto hb = pairing::decode_heartbeat(bytes);
        REQUIRE(hb);
        return AcceptedHeartbeat{bytes, *hb, false};
    };
    std::vector<std::vector<std::vector<AcceptedHeartbeat>>> batches(devices.size());
    std::uint64_t fork_seq = 0;
    std::string fork_prev;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        for (int b = 0; b < 20; ++b) {
            if (i == 0 && b == 9) {
                fork_seq = devices[i].seq;
                fork_prev = devices[i].prev;
            }
            const auto end = kNow - 86400 + b * 600;
            batches[i].push_back({accepted(devices[i].next_heartbeat(end - 300)),
                                  accepted(devices[i].next_heartbeat(end))});
        }
    }
    // Device 0 finally sends seqs 19 and 20 again with other bytes: a fork of two.
    {
        TestDevice& d = devices[0];
        const auto seq = d.seq;
        const auto prev = d.prev;
        d.seq = fork_seq;
        d.prev = fork_prev;
        const auto end = kNow - 86400 + 9 * 600;
        batches[0].push_back(
            {accepted(d.next_heartbeat(end - 300, 1)), accepted(d.next_heartbeat(end, 1))});
        d.seq = seq;
        d.prev = prev;
    }

    std::atomic<int> failures{0}, unknown{0}, forks{0};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        threads.emplace_back([&, i] {
            for (std::size_t b = 0; b < batches[i].size(); ++b) {
                auto r = f.store->store_batch(devices[i].device_id, batches[i][b], {}, kNow);
                if (!r) {
                    ++failures;
                    continue;
                }
                forks += static_cast<int>(r->forks);
                if (b == 20 ? r->forks != 2 || r->accepted != 0 : r->accepted != 2)
                    ++failures;
            }
        });
    }
    threads.emplace_back([&] {
        for (int b = 0; b < 20; ++b) {
            auto r = f.store->store_batch("no-such-device", batches[1][b], {}, kNow);
            if (!r && r.error().code == "unknown_device")
                ++unknown;
        }
    });
    for (auto& th : threads)
        th.join();
    CHECK(failures == 0);
    CHECK(unknown == 20);
    CHECK(forks == 2);
    CHECK(f.counted() == 5 * 40);
    CHECK(f.count("SELECT count(*) FROM devices WHERE acked_through = 40") == 5);
}

TEST_CASE("group commit: units queued behind a writer commit together in one transaction",
          "[store][group_commit]") {
    TempDir dir;
    auto db = SqliteDb::open((dir.path() / "g.db").string());
    REQUIRE(db);
    REQUIRE((*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY)"));
    std::mutex db_mutex;
    GroupCommit group(**db, db_mutex);
    constexpr int kFollowers = 5;
    std::mutex gate_mutex;
    std::condition_variable gate_cv;
    bool open = false;
    // The first unit holds the writer's role until every follower has queued behind it.
    std::atomic<int> failed{0};
    std::thread writer([&] {
        failed += !group.run([&]() -> Result<void> {
            std::unique_lock lock(gate_mutex);
            gate_cv.wait(lock, [&] { return open; });
            return (*db)->exec("INSERT INTO t VALUES (0)");
        });
    });
    while (group.stats().transactions == 0) {
        std::this_thread::yield();  // the writer has taken its own unit
    }
    std::vector<std::thread> followers;
    for (int i = 1; i <= kFollowers; ++i) {
        followers.emplace_back([&, i] {
            failed += !group.run([&, i]() -> Result<void> {
                return (*db)->exec("INSERT INTO t VALUES (" + std::to_string(i) + ")");
            });
        });
    }
    while (group.waiting() < kFollowers) {
        std::this_thread::yield();
    }
    {
        std::lock_guard lock(gate_mutex);
        open = true;
    }
    gate_cv.notify_all();
    writer.join();
    for (auto& t : followers) {
        t.join();
    }
    CHECK(failed == 0);
    const auto stats = group.stats();
    CHECK(stats.units == 1 + kFollowers);
    CHECK(stats.transactions == 2);  // the writer's own, then all five followers at once
    CHECK(stats.largest_group == kFollowers);
}

TEST_CASE("group commit: run_async answers each unit once, after its commit, beside run()",
          "[store][group_commit]") {
    TempDir dir;
    const auto path = (dir.path() / "g.db").string();
    auto db = SqliteDb::open(path);
    REQUIRE(db);
    REQUIRE((*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    auto reader = SqliteDb::open(path);  // another connection: sees committed rows only
    REQUIRE(reader);
    std::mutex db_mutex;
    std::mutex reader_mutex;
    std::mutex done_mutex;
    std::condition_variable done_cv;
    int answered = 0;
    std::atomic<int> twice{0}, wrong{0}, unseen{0};
    constexpr int kThreads = 6;
    constexpr int kRounds = 40;
    {
        GroupCommit gc(**db, db_mutex, 256, 8);  // a small queue: callers also wait for room
        auto insert = [&](std::int64_t k, bool bad) {
            return [&db, k, bad]() -> Result<void> {
                auto ins = (*db)->prepare(bad ? "INSERT INTO t (k, v) VALUES (?, NULL)"
                                              : "INSERT INTO t (k, v) VALUES (?, 'x')");
                if (!ins)
                    return ins.error();
                return ins->bind(1, k).run();
            };
        };
        // After its answer a stored row is visible to another connection: committed.
        auto committed = [&](std::int64_t k) {
            std::lock_guard lock(reader_mutex);
            auto s = (*reader)->prepare("SELECT count(*) FROM t WHERE k = ?");
            auto row = s ? s->bind(1, k).step() : Result<bool>(s.error());
            return row && *row && s->int64(0) == 1;
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int r = 0; r < kRounds; ++r) {
                    const std::int64_t k = t * 1000 + r;
                    const bool bad = r % 7 == 3;
                    if (t % 3 == 0) {  // a blocking caller among the asynchronous ones
                        auto res = gc.run(insert(k, bad));
                        wrong += bool(res) == bad;
                        unseen += res && !committed(k);
                        continue;
                    }
                    auto once = std::make_shared<std::atomic<bool>>(false);
                    gc.run_async(insert(k, bad), [&, k, bad, once](Result<void> res) {
                        twice += once->exchange(true);
                        wrong += bool(res) == bad;
                        unseen += res && !committed(k);
                        std::lock_guard lock(done_mutex);
                        ++answered;
                        done_cv.notify_all();
                    });
                }
            });
        }
        for (auto& th : threads)
            th.join();
        const int async_units = (kThreads - kThreads / 3) * kRounds;
        std::unique_lock lock(done_mutex);
        done_cv.wait(lock, [&] { return answered == async_units; });
    }
    CHECK(twice == 0);
    CHECK(wrong == 0);
    CHECK(unseen == 0);
    auto count = (*db)->prepare("SELECT count(*) FROM t");
    REQUIRE(count);
    REQUIRE(count->step());
    const int bad_per_thread = kRounds / 7 + (kRounds % 7 > 3 ? 1 : 0);
    CHECK(count->int64(0) == kThreads * (kRounds - bad_per_thread));
}

TEST_CASE("group commit: units still queued when it is destroyed are committed and answered",
          "[store][group_commit]") {
    TempDir dir;
    auto db = SqliteDb::open((dir.path() / "g.db").string());
    REQUIRE(db);
    REQUIRE((*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY)"));
    std::mutex db_mutex;
    std::atomic<int> ok{0};
    constexpr int kUnits = 50;
    {
        GroupCommit gc(**db, db_mutex);
        std::vector<std::thread> threads;
        for (int t = 0; t < 5; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kUnits / 5; ++i) {
                    const int k = t * 100 + i;
                    gc.run_async(
                        [&db, k]() -> Result<void> {
                            return (*db)->exec("INSERT INTO t VALUES (" + std::to_string(k) + ")");
                        },
                        [&ok](Result<void> res) { ok += bool(res); });
                }
            });
        }
        for (auto& th : threads)
            th.join();
    }
    CHECK(ok == kUnits);
    auto count = (*db)->prepare("SELECT count(*) FROM t");
    REQUIRE(count);
    REQUIRE(count->step());
    CHECK(count->int64(0) == kUnits);
}
