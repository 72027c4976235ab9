// tally-bench-store: database bytes per heartbeat after a month of heartbeats sent through the
// real ingest path (handle_upload: signature, gzip, decode, dedupe, store, rollups) in
// process, without HTTPS; with --steady, a retention-long steady state with the evidence purge
// run every simulated day. See README.md.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/store/month_fleet.h"
#include "bench/store/steady_state.h"

namespace {

struct Cli {
    tally::bench::StoreMonthOptions o;
    tally::bench::SteadyOptions steady;
    bool is_steady = false;
    bool is_short = false;
    bool at_window = false;
    bool keep = false;
};

const char* kUsage =
    " (--short, --devices N, --days D, --batch B, --realistic, --purge-after DAYS, --no-pack,"
    " --steady, --retention DAYS, --window DAYS, --pack-after DAYS, --pack-at-window, --keep)";

void check(const Cli& cli) {
    const auto& o = cli.o;
    const auto& s = cli.steady;
    if (cli.is_steady) {
        if (s.devices < 1 || s.batch < 1 || s.batch > 500 || s.window_days < 1 ||
            s.retention_days <= s.window_days || s.days < 1 || s.pack_after_days < 1) {
            throw std::invalid_argument(
                "--steady needs devices >= 1, 1 <= batch <= 500, 1 <= window < retention,"
                " days >= 1, pack-after >= 1");
        }
        return;
    }
    if (o.devices < 1 || o.days < 1 || o.days > 30 || o.batch < 1 || o.batch > 500 ||
        o.purge_after_days < 0) {
        throw std::invalid_argument(
            "need devices >= 1, 1 <= days <= 30, 1 <= batch <= 500, purge-after >= 0");
    }
}

Cli parse(int argc, char** argv) {
    Cli cli;
    auto& o = cli.o;
    auto& s = cli.steady;
    bool days_given = false;
    bool devices_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> int {
            if (i + 1 >= argc) {
                throw std::invalid_argument(a + " needs a number");
            }
            return std::stoi(argv[++i]);
        };
        if (a == "--short") {
            cli.is_short = true;
        } else if (a == "--devices") {
            o.devices = s.devices = value();
            devices_given = true;
        } else if (a == "--days") {
            o.days = s.days = value();
            days_given = true;
        } else if (a == "--batch") {
            o.batch = s.batch = value();
        } else if (a == "--realistic") {
            o.realistic = true;
        } else if (a == "--purge-after") {
            o.purge_after_days = value();
        } else if (a == "--no-pack") {
            o.pack = false;
        } else if (a == "--steady") {
            cli.is_steady = true;
        } else if (a == "--retention") {
            s.retention_days = value();
        } else if (a == "--window") {
            s.window_days = value();
        } else if (a == "--pack-after") {
            s.pack_after_days = value();
        } else if (a == "--pack-at-window") {
            cli.at_window = true;
        } else if (a == "--keep") {
            cli.keep = true;
        } else {
            throw std::invalid_argument("unknown option " + a + kUsage);
        }
    }
    if (cli.is_short) {
        // Month: 10 devices x 3 days. Steady: 2 devices x 65 days, retention 40, window 3.
        o.devices = devices_given ? o.devices : 10;
        o.days = days_given ? o.days : 3;
        s.devices = devices_given ? s.devices : 2;
        s.days = days_given ? s.days : 65;
        s.retention_days = 40;
        s.window_days = 3;
    }
    if (cli.at_window) {
        s.pack_after_days = s.window_days + 1;  // schema 12's purge: packs past the window
    }
    check(cli);
    return cli;
}

template <typename Bench>
int run(Bench& bench, bool keep) {
    const auto result = bench.run();
    std::cout << result.text;
    if (keep) {
        std::cout << "database kept in " << bench.dir() << "\n";
        bench.keep();
    }
    return result.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto cli = parse(argc, argv);
        if (cli.is_steady) {
            tally::bench::SteadyState steady(cli.steady);
            return run(steady, cli.keep);
        }
        tally::bench::StoreMonth fleet(cli.o);
        return run(fleet, cli.keep);
    } catch (const std::exception& e) {
        std::cerr << "tally-bench-store: " << e.what() << std::endl;
        return 64;
    }
}
