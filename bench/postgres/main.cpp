// tally-bench-postgres (issue 21): store ingest heartbeats/s on SQLite, on PostgreSQL through
// one store (one server's pool) and through two (two servers' pools over one database), in one
// run on the same fleet; then a realistic month's usage report on both backends.
//
//   tally-bench-postgres --pg-url URL [--short] [--devices N] [--days D]
//                        [--report-devices N] [--threads T]
//
// What it measures and what it skips: each heartbeat goes through the store's batch call
// (IngestStore::store_batch: dedupe, chain check, evidence, rollups, ack — the code `serve`
// runs per upload) in batches of 12 (an hourly upload of 5-minute heartbeats) from T threads,
// each with its own devices; TLS, HTTP, gzip and the ECDSA verify of the front are not
// included (bench/ingest measures those on a real server). The month (bench/month's
// MonthFleet, the realistic-month profile) is loaded a device-day (288) per call, then
// build_usage_report runs on it as the report routes and CLI do. Each backend gets a fresh
// database (PostgreSQL: one created on the cluster at URL and dropped after).

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/month/month_profile.h"
#include "bench/postgres/bench_store.h"
#include "pairing/time_format.h"
#include "server/report/usage_report.h"

namespace tb = tally::bench;

namespace {

struct Options {
    std::string pg_url;
    std::size_t devices = 400;
    std::size_t days = 3;
    std::size_t report_devices = 1000;
    std::size_t report_days = 30;
    int threads = 8;
};

int usage(const std::string& why) {
    std::cerr << "tally-bench-postgres: " << why
              << "\nusage: tally-bench-postgres --pg-url URL [--short] [--devices N] [--days D]"
                 " [--report-devices N] [--report-days D] [--threads T]\n";
    return 64;
}

bool parse(int argc, char** argv, Options& o, std::string& bad) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw std::invalid_argument(a + " needs a value");
            }
            return argv[++i];
        };
        try {
            if (a == "--short") {
                o.devices = 40;
                o.days = 2;
                o.report_devices = 20;
                o.report_days = 7;
                o.threads = 4;
            } else if (a == "--pg-url") {
                o.pg_url = value();
            } else if (a == "--devices") {
                o.devices = std::stoul(value());
            } else if (a == "--days") {
                o.days = std::stoul(value());
            } else if (a == "--report-devices") {
                o.report_devices = std::stoul(value());
            } else if (a == "--report-days") {
                o.report_days = std::stoul(value());
            } else if (a == "--threads") {
                o.threads = std::stoi(value());
            } else {
                bad = "unknown argument " + a;
                return false;
            }
        } catch (const std::exception& e) {
            bad = std::string("bad argument: ") + e.what();
            return false;
        }
    }
    if (o.pg_url.empty()) {
        if (const char* env = std::getenv("TALLY_TEST_POSTGRES_URL")) {
            o.pg_url = env;
        }
    }
    if (o.pg_url.empty()) {
        bad = "--pg-url (or TALLY_TEST_POSTGRES_URL) is required";
        return false;
    }
    if (o.devices == 0 || o.days == 0 || o.days > 31 || o.report_days == 0 || o.report_days > 31 ||
        o.threads < 1) {
        bad = "--devices, --threads at least 1; --days, --report-days 1 to 31";
        return false;
    }
    return true;
}

//! The first instant of the previous UTC month: a closed month, inside no backfill limit.
std::int64_t month_start() {
    const auto now = tb::unix_now();
    auto day = now / 86400 - 1;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    tally::pairing::civil_from_days(day, y, m, d);
    day -= d;  // the last day of the previous month
    tally::pairing::civil_from_days(day, y, m, d);
    return tally::pairing::days_from_civil(y, m, 1) * 86400;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string bad;
    if (!parse(argc, argv, o, bad)) {
        return usage(bad);
    }
    const auto start = month_start();
    std::cout << "== store ingest (" << o.devices << " devices x " << o.days
              << " days, batches of 12, " << o.threads << " threads)\n";
    std::cout << std::left << std::setw(34) << "backend" << std::right << std::setw(12)
              << "heartbeats" << std::setw(10) << "seconds" << std::setw(14) << "hb/s\n";
    const tb::BenchBackend configs[] = {tb::BenchBackend::sqlite, tb::BenchBackend::postgres_one,
                                        tb::BenchBackend::postgres_two};
    bool ok = true;
    for (const auto backend : configs) {
        auto r = tb::run_ingest(backend, o.pg_url, tb::MonthFleet(start, o.days, 21), o.devices,
                                o.threads);
        if (!r) {
            std::cerr << tb::name(backend) << ": " << r.error().code << ": " << r.error().message
                      << "\n";
            ok = false;
            continue;
        }
        std::cout << std::left << std::setw(34) << tb::name(backend) << std::right << std::setw(12)
                  << r->heartbeats << std::setw(10) << std::fixed << std::setprecision(2)
                  << r->seconds << std::setw(13) << std::setprecision(0)
                  << static_cast<double>(r->heartbeats) / r->seconds << "\n";
        std::cout << std::defaultfloat << std::setprecision(6);
        std::cout << "RESULT {\"phase\":\"ingest\",\"backend\":\"" << tb::name(backend)
                  << "\",\"heartbeats\":" << r->heartbeats << ",\"seconds\":" << r->seconds
                  << ",\"stored\":" << r->stored << "}\n";
        ok = ok && r->stored == r->heartbeats;
    }
    std::cout << "\n== usage report of a realistic month (" << o.report_devices << " devices x "
              << o.report_days << " days)\n";
    std::optional<std::int64_t> units;  // both backends must bill the same
    for (const auto backend : {tb::BenchBackend::sqlite, tb::BenchBackend::postgres_one}) {
        auto r = tb::run_report(backend, o.pg_url, tb::MonthFleet(start, o.report_days, 20),
                                o.report_devices, o.threads);
        if (!r) {
            std::cerr << tb::name(backend) << ": " << r.error().code << ": " << r.error().message
                      << "\n";
            ok = false;
            continue;
        }
        std::cout << std::left << std::setw(34) << tb::name(backend) << std::right << " load "
                  << std::fixed << std::setprecision(0)
                  << static_cast<double>(r->heartbeats) / r->load_seconds << " hb/s, report "
                  << std::setprecision(2) << r->report_seconds << " s, " << r->devices
                  << " device rows, " << r->billable_units << " billable units\n";
        std::cout << std::defaultfloat << std::setprecision(6);
        std::cout << "RESULT {\"phase\":\"report\",\"backend\":\"" << tb::name(backend)
                  << "\",\"heartbeats\":" << r->heartbeats
                  << ",\"load_seconds\":" << r->load_seconds
                  << ",\"report_seconds\":" << r->report_seconds << ",\"devices\":" << r->devices
                  << ",\"billable_units\":" << r->billable_units << "}\n";
        ok = ok && r->devices == o.report_devices && (!units || *units == r->billable_units);
        units = r->billable_units;
    }
    return ok ? 0 : 1;
}
