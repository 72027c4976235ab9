// tally-bench-postgres's runs (see bench_store.h).

#include "bench/postgres/bench_store.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "bench/month/month_days.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "pairing/time_format.h"
#include "server/ingest/device_id.h"
#include "server/report/usage_report.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/sqlite_store.h"

namespace tally::bench {
namespace {

constexpr const char* kTenant = "bench";
constexpr std::size_t kBatch = 12;

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! A fresh database: a temporary SQLite file, or a database created on the cluster (dropped
//! on destruction), with one or two stores open on it.
class Fresh {
  public:
    static Result<std::unique_ptr<Fresh>> open(BenchBackend backend, const std::string& url) {
        std::unique_ptr<Fresh> f(new Fresh);
        if (backend == BenchBackend::sqlite) {
            f->dir_ = std::filesystem::temp_directory_path() /
                      ("tally-bench-pg-" + pairing::hex_encode(pairing::random_bytes(6)));
            std::filesystem::create_directories(f->dir_);
            auto s = server::SqliteStore::open((f->dir_ / "tally.db").string());
            if (!s) {
                return s.error();
            }
            f->stores_.push_back(std::move(*s));
            return f;
        }
        f->root_ = url.substr(0, url.rfind('/'));
        f->name_ = "tally_bench_" + pairing::hex_encode(pairing::random_bytes(6));
        if (auto r = f->admin("CREATE DATABASE " + f->name_); !r) {
            f->name_.clear();
            return r.error();
        }
        const int count = backend == BenchBackend::postgres_two ? 2 : 1;
        for (int i = 0; i < count; ++i) {
            auto s = server::PostgresStore::open(f->root_ + "/" + f->name_);
            if (!s) {
                return s.error();
            }
            f->stores_.push_back(std::move(*s));
        }
        return f;
    }
    ~Fresh() {
        stores_.clear();
        if (!dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
        }
        if (!name_.empty()) {
            (void)admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        }
    }
    server::Store& store(std::size_t i) { return *stores_[i % stores_.size()]; }

  private:
    Fresh() = default;
    Result<void> admin(const std::string& sql) {
        auto c = server::PgConnection::connect(root_ + "/postgres");
        if (!c) {
            return c.error();
        }
        return (*c)->command(sql);
    }

    std::filesystem::path dir_;
    std::string root_;
    std::string name_;
    std::vector<std::unique_ptr<server::Store>> stores_;
};

Result<std::vector<std::string>> pair_fleet(server::Store& store, std::size_t devices,
                                            std::int64_t start) {
    const auto now = unix_now();
    if (auto r = store.add_tenant(kTenant, start - 86400); !r) {
        return r.error();
    }
    const auto code = pairing::hex_encode(pairing::sha256(pairing::random_bytes(16)));
    if (auto r = store.add_pairing_code(
            {kTenant, code, static_cast<std::int64_t>(devices), now + 86400}, now);
        !r) {
        return r.error();
    }
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < devices; ++i) {
        auto key = pairing::SoftwareKey::generate();
        if (!key) {
            return key.error();
        }
        server::PairAttempt a;
        a.code_hash = code;
        a.public_key = std::string(pairing::as_chars(key->public_key()));
        a.facts = {"bench-" + std::to_string(i),
                   "linux",
                   "12",
                   "0.1.0-bench",
                   "business",
                   "workstation",
                   pairing::hex_encode(pairing::sha256(std::to_string(i)))};
        a.new_device_id = server::new_device_id();
        a.now = start - 3600;
        auto d = store.pair_device(a);
        if (!d) {
            return d.error();
        }
        ids.push_back(d->id);
    }
    return ids;
}

//! Stores every device's days from `threads` threads (thread t: devices t, t+threads, …, on
//! store t), `batch` heartbeats per call. Returns the wall seconds.
Result<double> store_all(Fresh& f, const MonthFleet& fleet, const std::vector<std::string>& ids,
                         std::size_t days, int threads, std::size_t batch) {
    std::atomic<bool> failed{false};
    Error first_error;
    std::mutex error_mutex;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            auto& store = f.store(static_cast<std::size_t>(t));
            for (std::size_t d = static_cast<std::size_t>(t); d < ids.size() && !failed;
                 d += static_cast<std::size_t>(threads)) {
                std::uint64_t seq = 1;
                std::string prev = pairing::kGenesisPrev;
                for (std::size_t day = 0; day < days && !failed; ++day) {
                    auto hbs = day_heartbeats(fleet, d, day, seq, prev);
                    for (std::size_t i = 0; i < hbs.size(); i += batch) {
                        const std::vector<server::AcceptedHeartbeat> part(
                            hbs.begin() + static_cast<std::ptrdiff_t>(i),
                            hbs.begin() +
                                static_cast<std::ptrdiff_t>(std::min(hbs.size(), i + batch)));
                        // Received a minute after its last heartbeat ended: in time.
                        auto r = store.store_batch(ids[d], part, {}, part.back().decoded.end + 60);
                        if (!r) {
                            std::lock_guard lock(error_mutex);
                            first_error = r.error();
                            failed = true;
                            return;
                        }
                    }
                }
            }
        });
    }
    for (auto& w : workers) {
        w.join();
    }
    if (failed) {
        return first_error;
    }
    return since(t0);
}

std::string month_text(std::int64_t t) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    pairing::civil_from_days(t / 86400, y, m, d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
    return buf;
}

}  // namespace

const char* name(BenchBackend backend) {
    switch (backend) {
        case BenchBackend::sqlite:
            return "sqlite";
        case BenchBackend::postgres_one:
            return "postgresql, one server";
        case BenchBackend::postgres_two:
            return "postgresql, two servers";
    }
    return "?";
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<IngestRun> run_ingest(BenchBackend backend, const std::string& pg_url,
                             const MonthFleet& fleet, std::size_t devices, int threads) {
    auto f = Fresh::open(backend, pg_url);
    if (!f) {
        return f.error();
    }
    auto ids = pair_fleet((*f)->store(0), devices, fleet.slot_start(0));
    if (!ids) {
        return ids.error();
    }
    const auto days = fleet.slots() / MonthFleet::kSlotsPerDay;
    auto seconds = store_all(**f, fleet, *ids, days, threads, kBatch);
    if (!seconds) {
        return seconds.error();
    }
    IngestRun run;
    run.seconds = *seconds;
    run.heartbeats = devices * fleet.slots();
    auto usage =
        (*f)->store(0).usage(kTenant, fleet.slot_start(0), fleet.slot_start(0) + 32 * 86400);
    if (!usage) {
        return usage.error();
    }
    for (const auto& d : usage->devices) {
        run.stored += static_cast<std::uint64_t>(d.heartbeats);
    }
    return run;
}

Result<ReportRun> run_report(BenchBackend backend, const std::string& pg_url,
                             const MonthFleet& fleet, std::size_t devices, int threads) {
    auto f = Fresh::open(backend, pg_url);
    if (!f) {
        return f.error();
    }
    auto ids = pair_fleet((*f)->store(0), devices, fleet.slot_start(0));
    if (!ids) {
        return ids.error();
    }
    const auto days = fleet.slots() / MonthFleet::kSlotsPerDay;
    auto seconds = store_all(**f, fleet, *ids, days, threads, MonthFleet::kSlotsPerDay);
    if (!seconds) {
        return seconds.error();
    }
    ReportRun run;
    run.load_seconds = *seconds;
    run.heartbeats = devices * fleet.slots();
    const auto t0 = std::chrono::steady_clock::now();
    auto report = server::build_usage_report((*f)->store(0), kTenant,
                                             month_text(fleet.slot_start(0)), unix_now());
    if (!report) {
        return report.error();
    }
    run.report_seconds = since(t0);
    run.devices = report->devices.size();
    run.billable_units = report->summary.billable_units;
    return run;
}

}  // namespace tally::bench
