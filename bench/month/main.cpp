// tally-bench-month: a realistic month (month_profile.h) of N devices sent through the real
// server's public API: pairs the fleet (POST /v1/pair), then sends every device's month of
// heartbeats as signed gzip batches over HTTPS keep-alive, the first --small-days days at the
// steady-state batch (--small-batch, default 12: an upload an hour) and the rest at the
// catch-up batch (--large-batch, default 500). Devices go in chunks of --chunk: each chunk's
// bodies are built and signed before its timed run (signing is not timed); the figures are
// the median (and min–max) over chunks and the total. Writes what the server's report must
// then say per device to --expect FILE (JSON). One `RESULT {json}` line per phase.
//
//   tally-bench-month --url https://127.0.0.1:PORT --ca CA.pem --code TLY-… --devices N
//       --month-start UNIX_SECONDS --days D --expect FILE [--seed S] [--chunk 100]
//       [--small-batch 12] [--small-days 2] [--large-batch 500] [--connections 32]
//       [--server-pid PID]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/ingest/bench_flags.h"
#include "bench/ingest/fleet.h"
#include "bench/ingest/load_run.h"
#include "bench/ingest/tls_connection.h"
#include "bench/month/month_batch.h"
#include "bench/month/month_profile.h"

namespace {

using tally::bench::MonthFleet;

struct Options {
    std::string host;
    int port = 0;
    std::string ca;
    std::string code;
    std::size_t devices = 0;
    std::int64_t month_start = 0;
    std::size_t days = 30;
    std::uint64_t seed = 20;
    std::size_t chunk = 100;
    std::size_t small_batch = 12;
    std::size_t small_days = 2;
    std::size_t large_batch = 500;
    int connections = 32;
    int server_pid = 0;
    std::string expect;
};

int usage(const std::string& why) {
    std::cerr << "tally-bench-month: " << why
              << "\nusage: tally-bench-month --url https://IP:PORT --ca FILE --code CODE "
                 "--devices N --month-start UNIX_SECONDS --days D --expect FILE [--seed S] "
                 "[--chunk C] [--small-batch 12] [--small-days 2] [--large-batch 500] "
                 "[--connections 32] [--server-pid PID]\n";
    return 64;
}

bool parse(int argc, char** argv, Options& o, std::string& err) {
    auto flags = tally::bench::read_flags(argc, argv, err);
    if (!flags) {
        return false;
    }
    auto& a = *flags;
    const auto num = [&](const char* key, auto fallback) {
        return a.count(key) ? static_cast<decltype(fallback)>(std::stoll(a[key])) : fallback;
    };
    try {
        tally::bench::split_url(a.at("url"), o.host, o.port);
        o.ca = a.at("ca");
        o.code = a.at("code");
        o.expect = a.at("expect");
        o.devices = std::stoul(a.at("devices"));
        o.month_start = std::stoll(a.at("month-start"));
        o.days = std::stoul(a.at("days"));
        o.seed = num("seed", o.seed);
        o.chunk = num("chunk", o.chunk);
        o.small_batch = num("small-batch", o.small_batch);
        o.small_days = num("small-days", o.small_days);
        o.large_batch = num("large-batch", o.large_batch);
        o.connections = num("connections", o.connections);
        o.server_pid = num("server-pid", o.server_pid);
    } catch (const std::exception& e) {
        err = std::string("missing or bad argument (") + e.what() + ")";
        return false;
    }
    if (o.devices == 0 || o.days == 0 || o.chunk == 0 || o.small_batch == 0 || o.large_batch == 0 ||
        o.small_days > o.days || o.connections < 1) {
        err =
            "--devices, --days, --chunk, the batch sizes and --connections must be at least 1, "
            "--small-days at most --days";
        return false;
    }
    return true;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct PhaseFigures {
    std::vector<double> rates;  //!< heartbeats/s of each chunk
    double seconds = 0;
    std::uint64_t accepted = 0;
    std::uint64_t failed = 0;
    std::uint64_t server_hwm_kb = 0;
    std::uint64_t batches = 0;
    double server_cpu_s = 0;  //!< the server's CPU seconds during the timed runs
    double client_cpu_s = 0;  //!< this load generator's, on the same cores
    std::string first_failure;
};

//! Sends slots [from, to) of the devices [begin, end) in batches of `size`, round-robin over
//! the devices so that one device's batches follow each other in order.
void send_range(const std::shared_ptr<tally::bench::TlsContext>& ctx, const Options& o,
                const MonthFleet& fleet, std::vector<tally::bench::SimDevice>& devices,
                std::size_t begin, std::size_t end, std::size_t from, std::size_t to,
                std::size_t size, PhaseFigures& fig) {
    std::vector<tally::bench::SignedBatch> batches;
    const auto now = unix_now();
    for (std::size_t slot = from; slot < to; slot += size) {
        for (std::size_t d = begin; d < end; ++d) {
            batches.push_back(tally::bench::make_month_batch(devices[d], fleet, slot,
                                                             std::min(size, to - slot), now));
        }
    }
    tally::bench::LoadOptions lo;
    lo.host = o.host;
    lo.port = o.port;
    // No more connections than devices: a device's next batch waits for its previous one.
    lo.connections = static_cast<int>(std::min<std::size_t>(o.connections, end - begin));
    lo.server_pid = o.server_pid;
    const auto r = tally::bench::run_load(ctx, lo, devices, batches);
    fig.rates.push_back(static_cast<double>(r.heartbeats_accepted) / r.seconds);
    fig.seconds += r.seconds;
    fig.accepted += r.heartbeats_accepted;
    fig.failed += r.failed;
    fig.batches += r.batches_ok;
    fig.server_cpu_s += r.server_cpu_s;
    fig.client_cpu_s += r.client_cpu_s;
    fig.server_hwm_kb = std::max(fig.server_hwm_kb, r.server_hwm_kb);
    if (fig.first_failure.empty()) {
        fig.first_failure = r.first_failure;
    }
}

nlohmann::json phase_json(const std::string& name, std::size_t batch, const PhaseFigures& f) {
    auto rates = f.rates;
    std::sort(rates.begin(), rates.end());
    return {{"phase", name},
            {"batch_size", batch},
            {"chunks", rates.size()},
            {"accepted", f.accepted},
            {"failed", f.failed},
            {"first_failure", f.first_failure},
            {"seconds", f.seconds},
            {"hb_per_s", static_cast<double>(f.accepted) / f.seconds},
            {"median_hb_per_s", rates[rates.size() / 2]},
            {"min_hb_per_s", rates.front()},
            {"max_hb_per_s", rates.back()},
            {"server_hwm_kb", f.server_hwm_kb},
            {"batches", f.batches},
            {"server_cpu_s", f.server_cpu_s},
            {"client_cpu_s", f.client_cpu_s}};
}

bool write_expectations(const Options& o, const MonthFleet& fleet,
                        const std::vector<tally::bench::SimDevice>& devices) {
    static const char* kinds[] = {"office", "shift", "idle", "server"};
    nlohmann::json doc = {{"month_start", o.month_start}, {"days", o.days}, {"seed", o.seed}};
    auto& list = doc["devices"] = nlohmann::json::array();
    for (const auto& d : devices) {
        const auto t = tally::bench::month_totals(fleet, d.index);
        list.push_back({{"device_id", d.device_id},
                        {"kind", kinds[static_cast<int>(fleet.kind(d.index))]},
                        {"heartbeats", t.heartbeats},
                        {"active_minutes", t.active_minutes},
                        {"active_days", t.active_days},
                        {"users", t.users},
                        {"local_users", t.local_users}});
    }
    std::ofstream out(o.expect);
    out << doc.dump() << "\n";
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string err;
    if (!parse(argc, argv, o, err)) {
        return usage(err);
    }
    const MonthFleet fleet(o.month_start, o.days, o.seed);
    if (fleet.slot_start(fleet.slots()) > unix_now()) {
        return usage("the month must have ended: heartbeats may not end in the future");
    }
    auto ctx = tally::bench::TlsContext::create(o.ca);
    if (!ctx) {
        std::cerr << "tally-bench-month: " << ctx.error().message << "\n";
        return 1;
    }
    tally::bench::FleetOptions fo;
    fo.host = o.host;
    fo.port = o.port;
    fo.code = o.code;
    fo.devices = o.devices;
    fo.first_start = o.month_start;
    std::vector<tally::bench::SimDevice> devices;
    auto paired = tally::bench::pair_fleet(*ctx, fo, devices);
    if (!paired) {
        std::cerr << "tally-bench-month: pairing failed: " << paired.error().message << "\n";
        return 1;
    }
    std::cout << "RESULT "
              << nlohmann::json{{"phase", "pair"},
                                {"devices", paired->paired},
                                {"seconds", paired->seconds}}
                     .dump()
              << std::endl;
    const auto split = o.small_days * MonthFleet::kSlotsPerDay;
    PhaseFigures small, large;
    for (std::size_t begin = 0; begin < devices.size(); begin += o.chunk) {
        const auto end = std::min(devices.size(), begin + o.chunk);
        send_range(*ctx, o, fleet, devices, begin, end, 0, split, o.small_batch, small);
    }
    for (std::size_t begin = 0; split < fleet.slots() && begin < devices.size(); begin += o.chunk) {
        const auto end = std::min(devices.size(), begin + o.chunk);
        send_range(*ctx, o, fleet, devices, begin, end, split, fleet.slots(), o.large_batch, large);
    }
    int code = 0;
    for (const auto& [name, batch, fig] : {std::tuple{"steady", o.small_batch, &small},
                                           std::tuple{"catch-up", o.large_batch, &large}}) {
        if (fig->rates.empty()) {
            continue;
        }
        std::cout << "RESULT " << phase_json(name, batch, *fig).dump() << std::endl;
        if (fig->failed > 0) {
            std::cerr << "tally-bench-month: " << fig->failed
                      << " batch(es) failed; first: " << fig->first_failure << "\n";
            code = 1;
        }
    }
    if (!write_expectations(o, fleet, devices)) {
        std::cerr << "tally-bench-month: cannot write " << o.expect << "\n";
        return 1;
    }
    return code;
}
