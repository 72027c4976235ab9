// tally-bench-fastmonth: the in-process fast path for bench state (fast_month.h): a realistic
// month of N devices stored straight into a store — the data dir's SQLite database, or the one
// --db names as `tally-server --db` does (postgresql://… or sqlite:PATH) — (the tenant must
// exist: create it with `tally-server tenant add`), then, like tally-bench-month, what the
// report must say per device to --expect FILE and one `RESULT {json}` line.
//
//   tally-bench-fastmonth --data-dir DIR [--db URL] --tenant T --devices N
//       --month-start UNIX_SECONDS --days D --expect FILE [--seed S] [--threads 4]
//       [--rollups-only]
//
// --rollups-only (SQLite only): pair the fleet as usual, then write each device's month as the
// rollups the report reads, through the product's rollup code, with no evidence and no
// heartbeat bytes (fast_rollups.h says what it skips): 100,000 devices × a month in minutes.
// --threads: threads storing device-days at once (and pairing); on PostgreSQL each holds a
// connection of the store's pool (16), so up to 16 run in parallel.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bench/ingest/bench_flags.h"
#include "bench/month/fast_month.h"
#include "bench/month/fast_rollups.h"
#include "bench/month/month_batch.h"
#include "server/store/open_store.h"

namespace {

int usage(const std::string& why) {
    std::cerr << "tally-bench-fastmonth: " << why
              << "\nusage: tally-bench-fastmonth --data-dir DIR [--db URL] --tenant T --devices N "
                 "--month-start UNIX_SECONDS --days D --expect FILE [--seed S] [--threads 4] "
                 "[--rollups-only]\n";
    return 64;
}

//! `totals[i]` (when given) are month_totals of devices[i], computed already.
bool write_expectations(const std::string& path, const tally::bench::MonthFleet& fleet,
                        const std::vector<tally::bench::FastDevice>& devices,
                        const std::vector<tally::bench::DeviceTotals>* totals,
                        std::int64_t month_start, std::size_t days, std::uint64_t seed) {
    static const char* kinds[] = {"office", "shift", "idle", "server"};
    nlohmann::json doc = {{"month_start", month_start}, {"days", days}, {"seed", seed}};
    auto& list = doc["devices"] = nlohmann::json::array();
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        const auto t = totals ? (*totals)[i] : tally::bench::month_totals(fleet, d.index);
        list.push_back({{"device_id", d.device_id},
                        {"kind", kinds[static_cast<int>(fleet.kind(d.index))]},
                        {"heartbeats", t.heartbeats},
                        {"active_minutes", t.active_minutes},
                        {"active_days", t.active_days},
                        {"users", t.users},
                        {"local_users", t.local_users}});
    }
    std::ofstream out(path);
    out << doc.dump() << "\n";
    return static_cast<bool>(out);
}

struct Args {
    std::string dir, expect;
    std::optional<std::string> db;
    tally::bench::FastMonthOptions o;
    std::int64_t month_start = 0;
    std::size_t days = 0;
    std::uint64_t seed = 20;  // tally-bench-month's default
    bool rollups_only = false;
};

//! The arguments, or nullopt with `bad` saying why. `--rollups-only` takes no value.
std::optional<Args> parse(int argc, char** argv, std::string& bad) {
    Args r;
    std::vector<char*> rest;
    for (int i = 0; i < argc; ++i) {
        if (i > 0 && std::string(argv[i]) == "--rollups-only") {
            r.rollups_only = true;
        } else {
            rest.push_back(argv[i]);
        }
    }
    auto flags = tally::bench::read_flags(static_cast<int>(rest.size()), rest.data(), bad);
    if (!flags) {
        return std::nullopt;
    }
    auto& a = *flags;
    try {
        r.dir = a.at("data-dir");
        r.expect = a.at("expect");
        r.db = a.count("db") ? std::optional<std::string>(a["db"]) : std::nullopt;
        r.o.tenant = a.at("tenant");
        r.o.devices = std::stoul(a.at("devices"));
        r.month_start = std::stoll(a.at("month-start"));
        r.days = std::stoul(a.at("days"));
        r.seed = a.count("seed") ? std::stoull(a["seed"]) : r.seed;
        r.o.threads = a.count("threads") ? std::stoi(a["threads"]) : r.o.threads;
    } catch (const std::exception& e) {
        bad = std::string("missing or bad argument (") + e.what() + ")";
        return std::nullopt;
    }
    if (r.o.devices == 0 || r.days == 0 || r.days > 31 || r.o.threads < 1) {
        bad = "--devices and --threads must be at least 1, --days 1 to 31";
        return std::nullopt;
    }
    return r;
}

int fail(const tally::Error& e) {
    std::cerr << "tally-bench-fastmonth: " << e.code << ": " << e.message << "\n";
    return 1;
}

//! The RESULT line: the fleet, heartbeats stored, pairing and storing seconds.
void print_result(std::size_t devices, std::uint64_t heartbeats, double pair_s, double store_s,
                  bool rollups_only) {
    std::cout << "RESULT "
              << nlohmann::json{{"phase", rollups_only ? "fast-rollups" : "fast"},
                                {"devices", devices},
                                {"accepted", heartbeats},
                                {"pair_seconds", pair_s},
                                {"seconds", store_s},
                                {"hb_per_s",
                                 static_cast<double>(heartbeats) / std::max(store_s, 1e-9)}}
                     .dump()
              << std::endl;
}

//! --rollups-only: pairs through the store, closes it, then writes the rollups (fast_rollups.h).
int run_rollups(const Args& a, const tally::server::DbChoice& choice,
                const tally::bench::MonthFleet& fleet) {
    if (choice.kind != tally::server::DbChoice::Kind::sqlite) {
        return usage("--rollups-only writes SQLite only");
    }
    std::vector<tally::bench::FastDevice> devices;
    const auto t0 = std::chrono::steady_clock::now();
    {
        auto store = tally::server::open_store(choice);
        if (!store) {
            return fail(store.error());
        }
        auto paired = tally::bench::pair_fleet(**store, a.o);
        if (!paired) {
            return fail(paired.error());
        }
        devices = std::move(*paired);
    }
    const auto pair_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto r =
        tally::bench::store_rollup_month(choice.target, a.o.tenant, fleet, devices, a.o.threads);
    if (!r) {
        return fail(r.error());
    }
    if (!write_expectations(a.expect, fleet, devices, &r->totals, a.month_start, a.days, a.seed)) {
        std::cerr << "tally-bench-fastmonth: cannot write " << a.expect << "\n";
        return 1;
    }
    print_result(devices.size(), r->heartbeats, pair_s, r->seconds, true);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string bad;
    auto args = parse(argc, argv, bad);
    if (!args) {
        return usage(bad);
    }
    const auto& a = *args;
    auto choice = tally::server::parse_db(a.db, a.dir);
    if (!choice) {
        return usage(choice.error().message);
    }
    const tally::bench::MonthFleet fleet(a.month_start, a.days, a.seed);
    if (a.rollups_only) {
        return run_rollups(a, *choice, fleet);
    }
    auto store = tally::server::open_store(*choice);
    if (!store) {
        std::cerr << "tally-bench-fastmonth: " << store.error().message << "\n";
        return 1;
    }
    auto r = tally::bench::build_fast_month(**store, **store, fleet, a.o);
    if (!r) {
        return fail(r.error());
    }
    if (!write_expectations(a.expect, fleet, r->devices, nullptr, a.month_start, a.days, a.seed)) {
        std::cerr << "tally-bench-fastmonth: cannot write " << a.expect << "\n";
        return 1;
    }
    print_result(r->devices.size(), r->heartbeats, r->pair_seconds, r->store_seconds, false);
    return 0;
}
