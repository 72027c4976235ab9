// tally-bench-console: the console's (/ui) page sizes and server times for a vendor tenant of
// N devices (issue 22). Builds the state in process (console_fleet.h) in a fresh store (under
// /dev/shm when it exists: the state is built, not the disk measured), then calls the /ui
// routes in process through the real Router (no TLS or network: the server's own time) and
// prints, per page, its HTTP status, its size and its time cold (the month's billing runs)
// and warm (the report kept by the console, as when paging). Exits 1 when a page fails.
//
//   tally-bench-console [--devices 100000] [--heartbeats 4] [--threads 4] [--keep]
//                       [--month YYYY-MM (2026-11)]
//   tally-bench-console --out DIR [--devices N] [--month YYYY-MM]: only writes the state to
//       DIR/tally.db (a tally-server data dir) and prints the global admin token.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/console/console_fleet.h"
#include "pairing/time_format.h"
#include "server/billing/user_key.h"
#include "server/front/router.h"
#include "server/ui/ui_routes.h"

namespace {

using namespace tally;

struct Options {
    bench::ConsoleFleetOptions fleet;
    bool keep = false;
    std::string month = "2026-11";
    std::string out;  //!< write the state here and stop
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> int {
            if (i + 1 >= argc) {
                throw std::invalid_argument(a + " needs a number");
            }
            return std::stoi(argv[++i]);
        };
        if (a == "--devices") {
            o.fleet.devices = value();
        } else if (a == "--heartbeats") {
            o.fleet.heartbeats = value();
        } else if (a == "--threads") {
            o.fleet.threads = value();
        } else if (a == "--month" && i + 1 < argc) {
            o.month = argv[++i];
        } else if (a == "--out" && i + 1 < argc) {
            o.out = argv[++i];
        } else if (a == "--keep") {
            o.keep = true;
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    if (o.fleet.devices < 1 || o.fleet.heartbeats < 1 || o.fleet.heartbeats > 288) {
        throw std::invalid_argument("--devices ≥ 1, --heartbeats 1..288");
    }
    return o;
}

struct Answer {
    int status = 0;
    std::size_t bytes = 0;
    double ms = 0;
    std::string cookie;
    std::string location;
};

Answer call(const server::Router& router, const std::string& method, const std::string& target,
            const std::string& cookie) {
    server::Request req;
    req.method = method;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
        server::parse_url_params(target.substr(q + 1), req.params);
    }
    req.remote_addr = "127.0.0.1";
    req.headers.emplace("Host", "bench.invalid");
    req.headers.emplace("Origin", "https://bench.invalid");
    if (!cookie.empty()) {
        req.headers.emplace("Cookie", cookie);
    }
    server::Response res;
    const auto t0 = std::chrono::steady_clock::now();
    auto found = router.find(method, req.path);
    req.matches = found.matches;
    router.handle(found, req, res);
    const auto t1 = std::chrono::steady_clock::now();
    Answer a{res.status,
             res.body.size(),
             std::chrono::duration<double, std::milli>(t1 - t0).count(),
             {},
             {}};
    for (const auto& [name, value] : res.headers) {
        if (name == "Set-Cookie") {
            a.cookie = value.substr(0, value.find(';'));
        } else if (name == "Location") {
            a.location = value;
        }
    }
    return a;
}

std::filesystem::path work_dir() {
    const std::filesystem::path base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    auto dir = base / ("tally-bench-console-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

int measure(const server::Router& router, const std::string& token, const std::string& month,
            int devices) {
    const auto signed_in = call(router, "POST", "/ui/sign-in?token=" + token, "");
    if (signed_in.status != 303 || signed_in.cookie.empty()) {
        std::cerr << "sign-in failed: " << signed_in.status << "\n";
        return 1;
    }
    const std::string m = "tenant=vendor&month=" + month;
    char last[32];
    std::snprintf(last, sizeof last, "dev-%07d", devices - 1);
    const auto user = server::billing::user_key("user7@vendor.example", false, "");
    const std::vector<std::pair<const char*, std::string>> pages = {
        {"customers", "/ui"},
        {"month, page 1", "/ui/report?" + m},
        {"month, last devices page", "/ui/report?" + m + "&devices_page=1000000"},
        {"month, sorted by minutes",
         "/ui/report?" + m + "&devices_sort=active_minutes&devices_dir=desc"},
        {"month, device search", "/ui/report?" + m + "&devices_q=" + std::string(last)},
        {"device", "/ui/device?" + m + "&id=" + std::string(last)},
        {"user", "/ui/user?" + m + "&key=" + user},
    };
    std::printf("%-28s %6s %10s %10s %10s\n", "page", "status", "KB", "cold ms", "warm ms");
    int failed = 0;
    for (const auto& [name, target] : pages) {
        const auto cold = call(router, "GET", target, signed_in.cookie);
        const auto warm = call(router, "GET", target, signed_in.cookie);
        std::printf("%-28s %6d %10.1f %10.1f %10.1f\n", name, warm.status,
                    static_cast<double>(warm.bytes) / 1024.0, cold.ms, warm.ms);
        failed += warm.status != 200;
    }
    return failed == 0 ? 0 : 1;
}

std::string peak_rss() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return line.substr(6);
        }
    }
    return "?";
}

}  // namespace

int main(int argc, char** argv) {
    try {
        auto o = parse(argc, argv);
        const auto month_range = pairing::month_range_utc(o.month);
        if (!month_range) {
            throw std::invalid_argument("--month must be YYYY-MM");
        }
        o.fleet.month_start = month_range->first;
        const auto dir = o.out.empty() ? work_dir() : std::filesystem::path(o.out);
        std::filesystem::create_directories(dir);
        auto store = server::SqliteStore::open((dir / "tally.db").string());
        if (!store) {
            throw std::runtime_error(store.error().message);
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto token = bench::build_console_fleet(**store, o.fleet);
        const auto built = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0);
        std::printf("state: %d devices x %d heartbeats in %.1f s (%s)\n", o.fleet.devices,
                    o.fleet.heartbeats, built.count(), dir.c_str());
        if (!o.out.empty()) {
            std::printf("token: %s\n", token.c_str());
            return 0;
        }
        server::Router router;
        const auto now = o.fleet.month_start + 19 * 86400 + 12 * 3600;  // 2026-11-20 12:00
        server::ui::install_ui_routes(router, **store, [now] { return now; });
        int rc = measure(router, token, o.month, o.fleet.devices);
        // The month page first of all, on a console with nothing kept (the engine runs).
        server::Router fresh;
        server::ui::install_ui_routes(fresh, **store, [now] { return now; });
        const auto cookie = call(fresh, "POST", "/ui/sign-in?token=" + token, "").cookie;
        const auto first = call(fresh, "GET", "/ui/report?tenant=vendor&month=" + o.month, cookie);
        std::printf("%-28s %6d %10.1f %10.1f\n", "month, page 1, first view", first.status,
                    static_cast<double>(first.bytes) / 1024.0, first.ms);
        rc |= first.status == 200 ? 0 : 1;
        std::printf("peak RSS of the process (state building included): %s\n", peak_rss().c_str());
        store->reset();
        if (!o.keep) {
            std::filesystem::remove_all(dir);
        }
        return rc;
    } catch (const std::exception& e) {
        std::cerr << "tally-bench-console: " << e.what() << "\n";
        return 2;
    }
}
