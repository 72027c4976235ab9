// tally-bench-fastmonth: the in-process fast path for bench state (fast_month.h): a realistic
// month of N devices stored straight into a store — the data dir's SQLite database, or the one
// --db names as `tally-server --db` does (postgresql://… or sqlite:PATH) — (the tenant must
// exist: create it with `tally-server tenant add`), then, like tally-bench-month, what the
// report must say per device to --expect FILE and one `RESULT {json}` line.
//
//   tally-bench-fastmonth --data-dir DIR [--db URL] --tenant T --devices N
//       --month-start UNIX_SECONDS --days D --expect FILE [--seed S] [--threads 4]
//
// --threads: threads storing device-days at once (and pairing); on PostgreSQL each holds a
// connection of the store's pool (16), so up to 16 run in parallel.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bench/ingest/bench_flags.h"
#include "bench/month/fast_month.h"
#include "bench/month/month_batch.h"
#include "server/store/open_store.h"

namespace {

int usage(const std::string& why) {
    std::cerr << "tally-bench-fastmonth: " << why
              << "\nusage: tally-bench-fastmonth --data-dir DIR [--db URL] --tenant T --devices N "
                 "--month-start UNIX_SECONDS --days D --expect FILE [--seed S] [--threads 4]\n";
    return 64;
}

bool write_expectations(const std::string& path, const tally::bench::MonthFleet& fleet,
                        const tally::bench::FastMonthResult& r, std::int64_t month_start,
                        std::size_t days, std::uint64_t seed) {
    static const char* kinds[] = {"office", "shift", "idle", "server"};
    nlohmann::json doc = {{"month_start", month_start}, {"days", days}, {"seed", seed}};
    auto& list = doc["devices"] = nlohmann::json::array();
    for (const auto& d : r.devices) {
        const auto t = tally::bench::month_totals(fleet, d.index);
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

}  // namespace

int main(int argc, char** argv) {
    std::string bad;
    auto flags = tally::bench::read_flags(argc, argv, bad);
    if (!flags) {
        return usage(bad);
    }
    auto& a = *flags;
    std::string dir, expect;
    std::optional<std::string> db;
    tally::bench::FastMonthOptions o;
    std::int64_t month_start = 0;
    std::size_t days = 0;
    std::uint64_t seed = 20;  // tally-bench-month's default
    try {
        dir = a.at("data-dir");
        expect = a.at("expect");
        db = a.count("db") ? std::optional<std::string>(a["db"]) : std::nullopt;
        o.tenant = a.at("tenant");
        o.devices = std::stoul(a.at("devices"));
        month_start = std::stoll(a.at("month-start"));
        days = std::stoul(a.at("days"));
        seed = a.count("seed") ? std::stoull(a["seed"]) : seed;
        o.threads = a.count("threads") ? std::stoi(a["threads"]) : o.threads;
    } catch (const std::exception& e) {
        return usage(std::string("missing or bad argument (") + e.what() + ")");
    }
    if (o.devices == 0 || days == 0 || days > 31 || o.threads < 1) {
        return usage("--devices and --threads must be at least 1, --days 1 to 31");
    }
    auto choice = tally::server::parse_db(db, dir);
    if (!choice) {
        return usage(choice.error().message);
    }
    auto store = tally::server::open_store(*choice);
    if (!store) {
        std::cerr << "tally-bench-fastmonth: " << store.error().message << "\n";
        return 1;
    }
    const tally::bench::MonthFleet fleet(month_start, days, seed);
    auto r = tally::bench::build_fast_month(**store, **store, fleet, o);
    if (!r) {
        std::cerr << "tally-bench-fastmonth: " << r.error().code << ": " << r.error().message
                  << "\n";
        return 1;
    }
    if (!write_expectations(expect, fleet, *r, month_start, days, seed)) {
        std::cerr << "tally-bench-fastmonth: cannot write " << expect << "\n";
        return 1;
    }
    std::cout << "RESULT "
              << nlohmann::json{{"phase", "fast"},
                                {"devices", r->devices.size()},
                                {"accepted", r->heartbeats},
                                {"pair_seconds", r->pair_seconds},
                                {"seconds", r->store_seconds},
                                {"hb_per_s", static_cast<double>(r->heartbeats) /
                                                 std::max(r->store_seconds, 1e-9)}}
                     .dump()
              << std::endl;
    return 0;
}
