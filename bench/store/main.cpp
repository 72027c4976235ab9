// tally-bench-store: database bytes per heartbeat after a month of heartbeats sent through the
// real ingest path (handle_upload: signature, gzip, decode, dedupe, store, rollups) in
// process, without HTTPS. See README.md.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/store/month_fleet.h"

namespace {

struct Cli {
    tally::bench::StoreMonthOptions o;
    bool keep = false;
};

Cli parse(int argc, char** argv) {
    Cli cli;
    auto& o = cli.o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> int {
            if (i + 1 >= argc) {
                throw std::invalid_argument(a + " needs a number");
            }
            return std::stoi(argv[++i]);
        };
        if (a == "--short") {
            o.devices = 10;
            o.days = 3;
        } else if (a == "--devices") {
            o.devices = value();
        } else if (a == "--days") {
            o.days = value();
        } else if (a == "--batch") {
            o.batch = value();
        } else if (a == "--realistic") {
            o.realistic = true;
        } else if (a == "--purge-after") {
            o.purge_after_days = value();
        } else if (a == "--no-pack") {
            o.pack = false;
        } else if (a == "--keep") {
            cli.keep = true;
        } else {
            throw std::invalid_argument(
                "unknown option " + a +
                " (--short, --devices N, --days D, --batch B, --realistic, --purge-after DAYS,"
                " --no-pack, --keep)");
        }
    }
    if (o.devices < 1 || o.days < 1 || o.days > 30 || o.batch < 1 || o.batch > 500 ||
        o.purge_after_days < 0) {
        throw std::invalid_argument(
            "need devices >= 1, 1 <= days <= 30, 1 <= batch <= 500, purge-after >= 0");
    }
    return cli;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto cli = parse(argc, argv);
        tally::bench::StoreMonth fleet(cli.o);
        const auto result = fleet.run();
        std::cout << result.text;
        if (cli.keep) {
            std::cout << "database kept in " << fleet.dir() << "\n";
            fleet.keep();
        }
        return result.ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "tally-bench-store: " << e.what() << std::endl;
        return 64;
    }
}
