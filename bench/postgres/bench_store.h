#pragma once
// tally-bench-postgres's runs (see main.cpp): a fresh store per backend, a fleet paired
// straight through PairingStore, its heartbeats stored through IngestStore::store_batch from
// several threads, then counted back through the usage read; and a month loaded and reported.

#include <cstdint>
#include <string>

#include "bench/month/month_profile.h"
#include "pairing/result.h"

namespace tally::bench {

enum class BenchBackend {
    sqlite,        //!< SqliteStore in a temporary directory
    postgres_one,  //!< one PostgresStore (one server's pool of 16)
    postgres_two,  //!< two PostgresStores over one database (two servers), threads split
};
const char* name(BenchBackend backend);
std::int64_t unix_now();

struct IngestRun {
    std::uint64_t heartbeats = 0;  //!< sent (each once)
    std::uint64_t stored = 0;      //!< counted, per the usage read afterwards
    double seconds = 0;
};
//! `devices` devices of `fleet`, each day in batches of 12.
Result<IngestRun> run_ingest(BenchBackend backend, const std::string& pg_url,
                             const MonthFleet& fleet, std::size_t devices, int threads);

struct ReportRun {
    std::uint64_t heartbeats = 0;
    double load_seconds = 0;
    double report_seconds = 0;
    std::size_t devices = 0;  //!< device rows of the report
    std::int64_t billable_units = 0;
};
//! The fleet's month loaded a device-day per call, then build_usage_report on it.
Result<ReportRun> run_report(BenchBackend backend, const std::string& pg_url,
                             const MonthFleet& fleet, std::size_t devices, int threads);

}  // namespace tally::bench
