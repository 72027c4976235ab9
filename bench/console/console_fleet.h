#pragma once
// A vendor tenant of N devices written in process through the store API (pair_device,
// store_batch: the rollups are made by the same code as at ingest), plus a few small
// tenants, in a fresh store (SQLite, or PostgreSQL for the ui suite's `.postgres` variant).
// Heartbeats are not signed (the console never reads their bytes): this builds the state, it does
// not test ingest.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "server/store/store.h"

namespace tally::bench {

struct ConsoleFleetOptions {
    int devices = 100000;
    int heartbeats = 4;            //!< per device, 5 minutes each, spread over the month's days
    std::int64_t month_start = 0;  //!< UTC midnight of the 1st
    int days = 19;                 //!< days of the month with activity
    int threads = 4;
};

//! Writes the fleet; returns a global admin token. Throws std::runtime_error on a store error.
std::string build_console_fleet(server::Store& store, const ConsoleFleetOptions& options);

}  // namespace tally::bench
