// tally-bench-ingest: pre-pairs N simulated devices through POST /v1/pair and posts real
// signed gzip batches over HTTPS keep-alive, at full speed for each batch size and then at a
// fixed fleet rate; prints a table and one machine-readable `RESULT {json}` line per phase.
//
//   tally-bench-ingest --url https://127.0.0.1:PORT --ca CA.pem --code TLY-… --devices N
//       [--server-pid PID] [--connections 32] [--full 1:20000,12:5000,96:800]
//       [--rate 1100 --rate-batch 3 --rate-seconds 10 --rate-connections 128]
//       [--start UNIX_SECONDS] [--repeat R]
//       [--agent-rate R --agent-batches N]  (a connection per batch, left open as the agent's)
// --rate 0 skips the fixed-rate phase; --start sets where every device's heartbeats begin
// (default 34 days ago, inside the server's backfill window).

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench/ingest/bench_flags.h"
#include "bench/ingest/fleet.h"
#include "bench/ingest/load_run.h"
#include "bench/ingest/tls_connection.h"

namespace {

using tally::bench::LoadResult;

struct Phase {
    std::string name;
    std::uint32_t batch_size = 1;
    std::size_t batches = 0;
    double rate = 0;
    bool connection_per_batch = false;
    int connections = 0;  //!< 0: Options::connections
};

struct Options {
    std::string host = "127.0.0.1";
    int port = 0;
    std::string ca;
    std::string code;
    std::size_t devices = 100;
    int server_pid = 0;
    int connections = 32;        //!< full-speed phases (closed loop: the most batches in flight)
    int rate_connections = 128;  //!< fixed rate: enough that the client never waits for one
    std::int64_t start = 0;      //!< 0: 34 days ago
    int repeat = 1;              //!< runs of each phase (the table wants a median)
    std::vector<Phase> phases;
};

int usage(const std::string& why) {
    std::cerr << "tally-bench-ingest: " << why
              << "\nusage: tally-bench-ingest --url https://IP:PORT --ca FILE --code CODE "
                 "--devices N [--server-pid PID] [--connections C] [--full SIZE:BATCHES,...] "
                 "[--rate R --rate-batch B --rate-seconds S --rate-connections C] "
                 "[--start UNIX_SECONDS] [--repeat R] "
                 "[--agent-rate R --agent-batches N]\n";
    return 64;
}

bool parse(int argc, char** argv, Options& o, std::string& err) {
    auto flags = tally::bench::read_flags(argc, argv, err);
    if (!flags) {
        return false;
    }
    auto& a = *flags;
    try {
        tally::bench::split_url(a.at("url"), o.host, o.port);
        o.ca = a.at("ca");
        o.code = a.at("code");
        o.devices = std::stoul(a.at("devices"));
        o.server_pid = a.count("server-pid") ? std::stoi(a["server-pid"]) : 0;
        o.connections = a.count("connections") ? std::stoi(a["connections"]) : o.connections;
        o.rate_connections =
            a.count("rate-connections") ? std::stoi(a["rate-connections"]) : o.rate_connections;
        o.start = a.count("start") ? std::stoll(a["start"]) : 0;
        o.repeat = a.count("repeat") ? std::stoi(a["repeat"]) : 1;
        std::istringstream full(a.count("full") ? a["full"] : "1:20000,12:5000,96:800");
        std::string item;
        while (std::getline(full, item, ',')) {
            const auto colon = item.find(':');
            Phase p;
            p.batch_size = static_cast<std::uint32_t>(std::stoul(item.substr(0, colon)));
            p.batches = std::stoul(item.substr(colon + 1));
            p.name = "full speed";
            o.phases.push_back(p);
        }
        const double rate = a.count("rate") ? std::stod(a["rate"]) : 1100;
        const double seconds = a.count("rate-seconds") ? std::stod(a["rate-seconds"]) : 10;
        if (rate > 0 && seconds > 0) {
            Phase p;
            p.batch_size = a.count("rate-batch") ? std::stoul(a["rate-batch"]) : 3;
            p.rate = rate;
            p.batches = static_cast<std::size_t>(rate * seconds);
            p.connections = o.rate_connections;
            p.name = "fixed " + std::to_string(static_cast<int>(rate)) + "/s";
            o.phases.push_back(p);
        }
        // Agent-like connections: a new TLS connection per batch, left open as the agent does.
        const double agent_rate = a.count("agent-rate") ? std::stod(a["agent-rate"]) : 0;
        if (agent_rate > 0) {
            Phase p;
            p.batch_size = 3;
            p.rate = agent_rate;
            p.batches = a.count("agent-batches") ? std::stoul(a["agent-batches"]) : 40;
            p.connection_per_batch = true;
            p.connections = 32;  // many agents at once, each waiting on its own connection
            p.name = "agent-like " + std::to_string(static_cast<int>(agent_rate)) + "/s";
            o.phases.push_back(p);
        }
    } catch (const std::exception& e) {
        err = std::string("missing or bad argument (") + e.what() + ")";
        return false;
    }
    if (o.devices == 0 || o.connections < 1 || o.rate_connections < 1 || o.repeat < 1) {
        err = "--devices, --connections and --rate-connections must be at least 1";
        return false;
    }
    return true;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void print_row(const Phase& p, int connections, const LoadResult& r) {
    const double bps = static_cast<double>(r.batches_ok) / r.seconds;
    const double hps = static_cast<double>(r.heartbeats_accepted) / r.seconds;
    std::printf("%-12s %5u %5d %9zu %10.0f %12.0f %8.1f %8.1f %8.1f %9.0f%% %9.0f%% %8.1f %6llu\n",
                p.name.c_str(), p.batch_size, connections, p.batches, bps, hps, r.p50_ms, r.p99_ms,
                r.max_ms, 100.0 * r.server_cpu_s / r.seconds, 100.0 * r.client_cpu_s / r.seconds,
                static_cast<double>(r.server_rss_kb) / 1024,
                static_cast<unsigned long long>(r.failed));
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    std::string err;
    if (!parse(argc, argv, o, err)) {
        return usage(err);
    }
    auto ctx = tally::bench::TlsContext::create(o.ca);
    if (!ctx) {
        std::cerr << "tally-bench-ingest: " << ctx.error().message << "\n";
        return 1;
    }
    std::size_t total_hb = 0;
    for (const auto& p : o.phases) {
        total_hb += p.batches * p.batch_size * static_cast<std::size_t>(o.repeat);
    }
    // Each device's heartbeats run forward in 5-minute steps from 34 days ago: they must all
    // end before now (the server refuses ends more than 5 minutes ahead).
    const std::int64_t now = unix_now();
    const std::int64_t first_start = (o.start > 0 ? o.start : now - 34 * 86400) / 300 * 300;
    const std::size_t per_device = total_hb / o.devices + 96;
    if (first_start + static_cast<std::int64_t>(per_device) * 300 > now) {
        return usage("too many heartbeats per device (" + std::to_string(per_device) +
                     "): use more devices or fewer batches");
    }

    tally::bench::FleetOptions fo;
    fo.host = o.host;
    fo.port = o.port;
    fo.code = o.code;
    fo.devices = o.devices;
    fo.first_start = first_start;
    std::vector<tally::bench::SimDevice> devices;
    auto paired = tally::bench::pair_fleet(*ctx, fo, devices);
    if (!paired) {
        std::cerr << "tally-bench-ingest: pairing failed: " << paired.error().message << "\n";
        return 1;
    }
    std::printf("paired %zu devices in %.1f s (%.0f pairs/s, real P-256 keys, POST /v1/pair)\n",
                paired->paired, paired->seconds,
                static_cast<double>(paired->paired) / paired->seconds);
    std::cout << "RESULT "
              << nlohmann::json{{"phase", "pair"},
                                {"devices", paired->paired},
                                {"seconds", paired->seconds}}
                     .dump()
              << std::endl;

    std::printf("\n%-12s %5s %5s %9s %10s %12s %8s %8s %8s %10s %10s %8s %6s\n", "phase", "batch",
                "conns", "batches", "batches/s", "heartbeats/s", "p50 ms", "p99 ms", "max ms",
                "srv CPU", "client CPU", "srv MB", "failed");
    std::size_t cursor = 0;
    std::uint64_t accepted_total = 0;
    int exit_code = 0;
    for (int run = 0; run < o.repeat; ++run) {
        for (const auto& p : o.phases) {
            if (p.connection_per_batch && run > 0) {
                continue;  // a demonstration of connection handling, not a throughput figure
            }
            std::vector<tally::bench::SignedBatch> batches;
            batches.reserve(p.batches);
            const auto t = unix_now();
            for (std::size_t i = 0; i < p.batches; ++i) {
                batches.push_back(
                    tally::bench::make_batch(devices[cursor++ % devices.size()], p.batch_size, t));
            }
            tally::bench::LoadOptions lo;
            lo.host = o.host;
            lo.port = o.port;
            lo.connections = p.connections > 0 ? p.connections : o.connections;
            lo.rate = p.rate;
            lo.connection_per_batch = p.connection_per_batch;
            lo.server_pid = o.server_pid;
            const auto r = tally::bench::run_load(*ctx, lo, devices, batches);
            accepted_total += r.heartbeats_accepted;
            print_row(p, lo.connections, r);
            if (r.failed > 0) {
                std::fprintf(stderr, "  %llu failed; first: %s\n",
                             static_cast<unsigned long long>(r.failed), r.first_failure.c_str());
                if (!p.connection_per_batch) {
                    exit_code = 1;  // the agent-like phase may show refusals: that is its point
                }
            }
            std::cout << "RESULT "
                      << nlohmann::json{{"phase", p.name},
                                        {"batch_size", p.batch_size},
                                        {"batches", p.batches},
                                        {"rate", p.rate},
                                        {"connections", lo.connections},
                                        {"seconds", r.seconds},
                                        {"batches_ok", r.batches_ok},
                                        {"accepted", r.heartbeats_accepted},
                                        {"failed", r.failed},
                                        {"unsent", r.unsent},
                                        {"p50_ms", r.p50_ms},
                                        {"p99_ms", r.p99_ms},
                                        {"max_ms", r.max_ms},
                                        {"server_cpu_s", r.server_cpu_s},
                                        {"client_cpu_s", r.client_cpu_s},
                                        {"server_rss_kb", r.server_rss_kb},
                                        {"server_hwm_kb", r.server_hwm_kb},
                                        {"handshakes", r.handshakes},
                                        {"run", run}}
                             .dump()
                      << std::endl;
        }
    }
    std::cout << "RESULT "
              << nlohmann::json{{"phase", "total"}, {"accepted", accepted_total}}.dump()
              << std::endl;
    return exit_code;
}
