// `tally-server serve --data-dir DIR --listen HOST:PORT [--tls-cert F --tls-key F]
// [--max-backfill-days N]`: the HTTPS API until SIGTERM/SIGINT (exit 0).

#include <signal.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "server/cli/command.h"
#include "server/cli/listen_address.h"
#include "server/cli/periodic_month_close.h"
#include "server/cli/periodic_purge.h"
#include "server/front/https_server.h"
#include "server/http/event_log.h"
#include "server/tls/local_ca.h"

namespace tally::server::cli {
namespace {

struct TlsChoice {
    std::filesystem::path cert;
    std::filesystem::path key;
};

Result<TlsChoice> choose_tls(const Args& args, const std::filesystem::path& dir) {
    const auto cert = args.get("tls-cert");
    const auto key = args.get("tls-key");
    if (cert.has_value() != key.has_value()) {
        return make_error("usage", "--tls-cert and --tls-key go together");
    }
    if (cert) {
        return TlsChoice{*cert, *key};
    }
    const auto tls_dir = dir / "tls";
    if (!local_tls_present(tls_dir)) {
        auto made = create_local_tls(tls_dir, now_seconds());
        if (!made) {
            return made.error();
        }
        std::cout << "created a local CA for TLS: " << made->ca_cert.string()
                  << " (give it to agents as their CA file)" << std::endl;
    }
    const auto files = local_tls_files(tls_dir);
    return TlsChoice{files.server_cert, files.server_key};
}

Result<void> write_listen_addr(const std::filesystem::path& dir, const std::string& addr) {
    // Written to a temporary name and renamed, so a reader never sees a partial address.
    const auto tmp = dir / "listen.addr.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << addr << '\n';
        out.close();
        if (!out) {
            return make_error("io", "cannot write " + tmp.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, dir / "listen.addr", ec);
    if (ec) {
        return make_error("io",
                          "cannot write " + (dir / "listen.addr").string() + ": " + ec.message());
    }
    return {};
}

Result<std::int64_t> parse_backfill(const Args& args) {
    return parse_days(args, "max-backfill-days", "35");
}

struct RunEnd {
    bool ok = false;         //!< run() returned normally
    bool signalled = false;  //!< because of SIGTERM/SIGINT
};

//! Runs the server until it stops or a blocked SIGTERM/SIGINT arrives (taken by sigwait on
//! one thread: stop() is not async-signal-safe).
RunEnd run_until_signal(HttpsServer& server, sigset_t& signals) {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::atomic<bool> signalled{false};
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        std::unique_lock lock(mutex);
        if (done) {
            return;
        }
        signalled = true;
        log_event(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
        // stop() is a no-op until the listener runs; repeat until run() returned.
        while (!done) {
            server.stop();
            done_cv.wait_for(lock, std::chrono::milliseconds(100));
        }
    });
    const bool ok = server.run();
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    done_cv.notify_all();
    if (!signalled) {
        ::kill(::getpid(), SIGTERM);  // wakes the waiter; the signal is blocked, so no exit
    }
    waiter.join();
    return {ok, signalled};
}

}  // namespace

int run_serve(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "listen", "tls-cert", "tls-key",
                                   "max-backfill-days", "evidence-retention-days"});
    if (!args) {
        return fail(args.error());
    }
    if (args->positional.size() != 1 || !args->get("listen")) {
        return fail(make_error("usage",
                               "usage: tally-server serve --listen HOST:PORT "
                               "[--tls-cert F --tls-key F] [--max-backfill-days N] "
                               "[--evidence-retention-days N] [--data-dir DIR] [--db URL]"));
    }
    auto listen = parse_listen_address(*args->get("listen"));
    if (!listen) {
        return fail(listen.error());
    }
    auto backfill = parse_backfill(*args);
    if (!backfill) {
        return fail(backfill.error());
    }
    auto retention = parse_days(*args, "evidence-retention-days", "400");
    if (!retention) {
        return fail(retention.error());
    }
    auto dir = data_dir(*args);
    if (!dir) {
        return fail(dir.error());
    }
    auto tls = choose_tls(*args, *dir);
    if (!tls) {
        return fail(tls.error());
    }
    auto store = open_chosen_store(*args, *dir);
    if (!store) {
        return fail(store.error());
    }
    // Signals are taken by one thread with sigwait (blocked everywhere else, so the
    // server's worker threads inherit the mask): stop() is not async-signal-safe.
    // Blocked before the server exists: its worker pool starts in create().
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    IngestOptions options;
    options.max_backfill_days = *backfill;
    auto server = HttpsServer::create(tls->cert, tls->key, **store, options, now_seconds);
    if (!server) {
        return fail(server.error());
    }

    // DESIGN.md §5 rule 4: released users' metadata is purged without an operator.
    // And evidence past evidence_retention_days, dedupe hashes past the window (DESIGN.md §5).
    PeriodicPurge purge(**store, now_seconds, std::chrono::hours(1),
                        EvidencePolicy{*retention, *backfill});
    // DESIGN.md §5 rule 7: a month's bill is frozen soon after its close (server/report/).
    PeriodicMonthClose month_close(**store, now_seconds, std::chrono::minutes(15));

    auto port = (*server)->bind(listen->host, listen->port);
    if (!port) {
        return fail(port.error());
    }
    const auto addr = listen->with_port(*port);
    if (auto r = write_listen_addr(*dir, addr); !r) {
        return fail(r.error());
    }
    std::cout << "listening on https://" << addr << std::endl;

    const auto [ok, signalled] = run_until_signal(**server, signals);
    std::error_code ec;
    std::filesystem::remove(*dir / "listen.addr", ec);
    if (!ok && !signalled) {
        return fail(make_error("io", "the HTTPS listener stopped unexpectedly"));
    }
    log_event("stopped");
    return kExitOk;
}

}  // namespace tally::server::cli
