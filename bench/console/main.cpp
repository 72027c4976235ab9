// tally-bench-console: the console's (/ui) page sizes and server times for a vendor tenant of
// N devices (issue 22). Builds the state in process (console_fleet.h) in a fresh store (under
// /dev/shm when it exists: the state is built, not the disk measured), then calls the /ui
// routes in process through the real Router (no TLS or network: the server's own time) and
// prints, per page, its HTTP status, its size and its server time cold (nothing kept: the
// month is asked for from the console's background thread and the page answers within the
// cache's wait, as "pending" when not done), the time the background computation took, and
// each page's first and next view once the month is kept; medians of --runs runs. Exits 1
// when a page fails.
//
//   tally-bench-console [--devices 100000] [--heartbeats 4] [--threads 4] [--keep]
//                       [--month YYYY-MM (2026-11)] [--runs 3]
//   tally-bench-console --out DIR [--db URL] [--devices N] [--month YYYY-MM]: only writes the
//       state to DIR/tally.db (a tally-server data dir), or to the database --db names
//       (`postgresql://…`, as tally-server's --db), and prints the global admin token.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/console/console_fleet.h"
#include "pairing/time_format.h"
#include "server/application/report_cache.h"
#include "server/billing/user_key.h"
#include "server/front/router.h"
#include "server/store/open_store.h"
#include "server/ui/ui_routes.h"

namespace {

using namespace tally;

struct Options {
    bench::ConsoleFleetOptions fleet;
    bool keep = false;
    int runs = 3;
    std::string month = "2026-11";
    std::string out;                //!< write the state here and stop
    std::optional<std::string> db;  //!< with --out: the store to write (tally-server's --db)
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
        } else if (a == "--db" && i + 1 < argc) {
            o.db = argv[++i];
        } else if (a == "--runs") {
            o.runs = value();
        } else if (a == "--keep") {
            o.keep = true;
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    if (o.db && o.out.empty()) {
        throw std::invalid_argument("--db goes with --out");
    }
    if (o.runs < 1) {
        throw std::invalid_argument("--runs ≥ 1");
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
    bool refresh = false;  //!< the page reloads itself (its month is being computed)
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
             {},
             false};
    for (const auto& [name, value] : res.headers) {
        if (name == "Set-Cookie") {
            a.cookie = value.substr(0, value.find(';'));
        } else if (name == "Location") {
            a.location = value;
        } else if (name == "Refresh") {
            a.refresh = true;
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

using Clock = std::function<std::int64_t()>;
using Pages = std::vector<std::pair<const char*, std::string>>;

//! The console as the server installs it, without the warm-up (to measure cold).
struct Console {
    server::Router router;
    std::string cookie;
    Console(server::Store& store, const Clock& clock, const std::string& token) {
        server::ui::UiOptions options;
        options.warm_up = false;
        server::ui::install_ui_routes(router, store, clock, options);
        const auto signed_in = call(router, "POST", "/ui/sign-in?token=" + token, "");
        if (signed_in.status != 303 || signed_in.cookie.empty()) {
            throw std::runtime_error("sign-in failed: " + std::to_string(signed_in.status));
        }
        cookie = signed_in.cookie;
    }
    Answer get(const std::string& target) const { return call(router, "GET", target, cookie); }
};

Pages pages(const std::string& month, int devices) {
    const std::string m = "tenant=vendor&month=" + month;
    char last[32];
    std::snprintf(last, sizeof last, "dev-%07d", devices - 1);
    const auto user = server::billing::user_key("user7@vendor.example", false, "");
    return {
        {"customers", "/ui?month=" + month},
        {"month, page 1", "/ui/report?" + m},
        {"month, last devices page", "/ui/report?" + m + "&devices_page=1000000"},
        {"month, sorted by minutes",
         "/ui/report?" + m + "&devices_sort=active_minutes&devices_dir=desc"},
        {"month, device search", "/ui/report?" + m + "&devices_q=" + std::string(last)},
        {"device", "/ui/device?" + m + "&id=" + std::string(last)},
        {"user", "/ui/user?" + m + "&key=" + user},
    };
}

struct Figures {
    int status = 0;
    double kb = 0;
    bool cold_pending = false;
    std::vector<double> cold, first, next;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

//! One run: every page cold (a console with nothing kept: the month is asked for and the
//! page answers within the cache's wait), then the month computed in the background
//! (the month page polled every 20 ms until it is no longer pending: the time it took), then
//! every page's first and next view. Returns the background computation's seconds.
double run_once(server::Store& store, const Clock& clock, const std::string& token,
                const Pages& list, std::vector<Figures>& figures) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Console cold(store, clock, token);
        const auto a = cold.get(list[i].second);
        figures[i].cold.push_back(a.ms);
        figures[i].cold_pending = a.refresh;
    }  // each console waits for its month's computation when it goes
    const Console console(store, clock, token);
    const auto t0 = std::chrono::steady_clock::now();
    while (console.get(list[1].second).refresh) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto ready = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto first = console.get(list[i].second);
        const auto next = console.get(list[i].second);
        figures[i].first.push_back(first.ms);
        figures[i].next.push_back(next.ms);
        figures[i].status = next.refresh ? 202 : next.status;
        figures[i].kb = static_cast<double>(next.bytes) / 1024.0;
    }
    return ready.count();
}

int measure(server::Store& store, const Clock& clock, const std::string& token,
            const std::string& month, int devices, int runs) {
    const auto list = pages(month, devices);
    std::vector<Figures> figures(list.size());
    std::vector<double> ready;
    for (int r = 0; r < runs; ++r) {
        ready.push_back(run_once(store, clock, token, list, figures));
    }
    std::printf(
        "median of %d runs; cold: nothing kept (\"pending\": the page says the month is "
        "being computed and reloads itself)\n",
        runs);
    std::printf("%-26s %6s %8s %9s %8s %9s %9s\n", "page", "status", "KB", "cold ms", "cold is",
                "first ms", "next ms");
    int failed = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& f = figures[i];
        std::printf("%-26s %6d %8.1f %9.1f %8s %9.1f %9.1f\n", list[i].first, f.status, f.kb,
                    median(f.cold), f.cold_pending ? "pending" : "page", median(f.first),
                    median(f.next));
        failed += f.status != 200;
    }
    std::printf("month computed in the background in %.2f s (median)\n", median(ready));
    return failed == 0 ? 0 : 1;
}

//! What the console keeps of the month (application/report_cache.h) against the whole
//! report.
void print_report_memory(server::Store& store, const std::string& month, std::int64_t now,
                         int devices) {
    auto report = server::build_usage_report(store, "vendor", month, now);
    if (!report) {
        throw std::runtime_error(report.error().message);
    }
    const auto whole = server::application::approx_bytes(*report);
    const auto kept =
        server::application::approx_bytes(server::application::keep_report(std::move(*report)));
    std::printf(
        "month's report: %.1f MB whole (%.0f B a device), %.1f MB kept by the console "
        "(%.0f B a device)\n",
        static_cast<double>(whole) / 1e6, static_cast<double>(whole) / devices,
        static_cast<double>(kept) / 1e6, static_cast<double>(kept) / devices);
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
        auto choice = server::parse_db(o.db, dir);
        if (!choice) {
            throw std::invalid_argument(choice.error().message);
        }
        auto store = server::open_store(*choice);
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
        const auto now = o.fleet.month_start + 19 * 86400 + 12 * 3600;  // 2026-11-20 12:00
        const int rc = measure(
            **store, [now] { return now; }, token, o.month, o.fleet.devices, o.runs);
        print_report_memory(**store, o.month, now, o.fleet.devices);
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
