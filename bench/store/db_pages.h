#pragma once
// What a SQLite database file holds, for tally-bench-store: bytes per table and index
// (dbstat) and pages in use (page_count - freelist_count), after a WAL checkpoint.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace tally::bench {

//! Bytes of each table and index (dbstat), after a WAL checkpoint (TRUNCATE).
std::map<std::string, std::int64_t> table_sizes(const std::filesystem::path& db_path);

struct PageCounts {
    std::int64_t page_size = 0;
    std::int64_t pages = 0;     //!< page_count
    std::int64_t freelist = 0;  //!< freelist_count: freed pages SQLite reuses, not returned
    std::int64_t in_use() const { return (pages - freelist) * page_size; }
};
PageCounts page_counts(const std::filesystem::path& db_path);

}  // namespace tally::bench
