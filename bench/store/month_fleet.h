#pragma once
// A fleet of simulated devices sending a month of heartbeats (one every 300 s) through
// handle_upload into a fresh SQLite store, then the database's size per heartbeat; optionally
// after the hourly evidence purge run with the clock past the acceptance window (the batches
// compacted and packed, evidence_packs.h).

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/month/month_profile.h"

#include "pairing/crypto.h"
#include "server/ingest/options.h"
#include "server/store/sqlite_store.h"

namespace tally::bench {

struct StoreMonthOptions {
    int devices = 100;
    int days = 30;
    int batch = 288;
    //! Heartbeats of bench/month's realistic month (month_profile.h) instead of the simple one.
    bool realistic = false;
    //! Run purge_evidence this many days after the month's end (0: no purge).
    int purge_after_days = 0;
    bool pack = true;  //!< the purge packs batches past the window (--no-pack: it does not)
};

struct FleetResult {
    bool ok = false;   //!< everything sent was counted and verify-evidence found nothing
    std::string text;  //!< the figures, one per line
};

class StoreMonth {
  public:
    explicit StoreMonth(const StoreMonthOptions& options);
    ~StoreMonth();
    StoreMonth(const StoreMonth&) = delete;
    StoreMonth& operator=(const StoreMonth&) = delete;

    FleetResult run();
    const std::filesystem::path& dir() const { return dir_; }
    void keep() { keep_ = true; }

  private:
    struct Device {
        pairing::SoftwareKey key;
        std::string id;
        std::string prev;
        std::uint64_t seq = 0;
        std::deque<std::string> pending;  //!< realistic: the rest of the day generated
        std::size_t next_day = 0;
    };
    void pair_all();
    //! Heartbeat `i` (0-based, from the 1st of the month 00:00 UTC) of device `d`.
    std::string heartbeat(Device& device, int d, std::int64_t i);
    //! Heartbeat `i` of device `d` of the realistic month (generated a day at a time).
    std::string realistic_heartbeat(Device& device, int d);
    std::int64_t send_all();
    //! The purge with the clock past the window; its figures.
    std::string purge();

    StoreMonthOptions o_;
    MonthFleet profile_;
    std::optional<server::EvidenceCheck> purged_check_;  //!< verify-evidence after the purge
    std::int64_t body_bytes_ = 0;  //!< the signed gzip bodies sent, with their signatures
    bool keep_ = false;
    std::filesystem::path dir_;
    std::unique_ptr<server::SqliteStore> store_;
    server::IngestOptions options_;
    std::vector<Device> fleet_;
};

}  // namespace tally::bench
