#pragma once
// A fleet of simulated devices sending a month of heartbeats (one every 300 s) through
// handle_upload into a fresh SQLite store, then the database's size per heartbeat.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pairing/crypto.h"
#include "server/ingest/options.h"
#include "server/store/sqlite_store.h"

namespace tally::bench {

struct FleetResult {
    bool ok = false;   //!< everything sent was counted and verify-evidence found nothing
    std::string text;  //!< the figures, one per line
};

class MonthFleet {
  public:
    MonthFleet(int devices, int days, int batch);
    ~MonthFleet();
    MonthFleet(const MonthFleet&) = delete;
    MonthFleet& operator=(const MonthFleet&) = delete;

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
    //! Heartbeat `i` (0-based, from the 1st of the month 00:00 UTC) of device `d`.
    std::string heartbeat(Device& device, int d, std::int64_t i);
    std::int64_t send_all();

    int devices_;
    int days_;
    int batch_;
    std::int64_t body_bytes_ = 0;  //!< the signed gzip bodies sent, with their signatures
    bool keep_ = false;
    std::filesystem::path dir_;
    std::unique_ptr<server::SqliteStore> store_;
    server::IngestOptions options_;
    std::vector<Device> fleet_;
};

}  // namespace tally::bench
