#pragma once
// A retention-long steady state (tally-bench-store --steady): a fleet sends a heartbeat every
// 300 s for more days than evidence_retention_days, through handle_upload in process, while
// the evidence purge runs once every simulated day (00:30 UTC) with the clock the bench drives;
// then the database's pages in use per heartbeat the retention keeps, and the purge's time per
// simulated day. See README.md.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/store/month_fleet.h"
#include "pairing/crypto.h"
#include "server/ingest/options.h"
#include "server/store/sqlite_store.h"

namespace tally::bench {

struct SteadyOptions {
    int devices = 20;
    int days = 430;
    int retention_days = 400;
    int window_days = 35;
    int batch = 12;
    //! EvidencePolicy::pack_after_days (--pack-at-window: window + 1, the purge of schema 12).
    int pack_after_days = 1;
};

class SteadyState {
  public:
    explicit SteadyState(const SteadyOptions& options);
    ~SteadyState();
    SteadyState(const SteadyState&) = delete;
    SteadyState& operator=(const SteadyState&) = delete;

    FleetResult run();
    const std::filesystem::path& dir() const { return dir_; }
    void keep() { keep_ = true; }

  private:
    struct Device {
        pairing::SoftwareKey key;
        std::string id;
        std::string prev;
        std::uint64_t seq = 0;
    };
    void pair_all();
    std::string heartbeat(Device& device, int d, std::int64_t start);
    //! Device `d`'s batch of heartbeats [first, last), sent at `now`.
    void send_one(int d, std::int64_t first, std::int64_t last, std::int64_t now);
    //! Every device's batch of heartbeats [first, last), sent at `now` from one thread each.
    void send_step(std::int64_t first, std::int64_t last, std::int64_t now);
    //! Runs the purge at `now`; adds its time.
    void purge(std::int64_t now);
    //! The figures of the database as it is (WAL checkpointed first).
    std::string figures(std::int64_t now);

    SteadyOptions o_;
    bool keep_ = false;
    std::filesystem::path dir_;
    std::unique_ptr<server::SqliteStore> store_;
    server::IngestOptions options_;
    std::vector<Device> fleet_;
    std::atomic<std::int64_t> accepted_ = 0;
    std::atomic<std::int64_t> sent_ = 0;
    std::vector<double> purge_seconds_;  //!< each simulated day's purge
    std::int64_t deleted_ = 0;           //!< batches the retention deleted
    std::int64_t packed_ = 0;            //!< batches packed
};

}  // namespace tally::bench
