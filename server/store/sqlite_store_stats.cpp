// SqliteStore::storage_stats (see storage_stats.h): file sizes from the file system, rows
// counted on a read connection (the last committed state).

#include <filesystem>
#include <string>

#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

std::int64_t file_bytes(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::int64_t>(size);
}

}  // namespace

Result<StorageStats> SqliteStore::storage_stats() {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    auto s = reader->db().prepare(
        "SELECT (SELECT count(*) FROM evidence_batches) + (SELECT count(*) FROM held_heartbeats)"
        " + (SELECT count(*) FROM evidence_packs)");
    if (!s) {
        return s.error();
    }
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    StorageStats stats;
    stats.evidence_rows = *row ? s->int64(0) : 0;
    const auto commits = group_commit_.stats();
    stats.commit_transactions = static_cast<std::int64_t>(commits.transactions);
    stats.commit_units = static_cast<std::int64_t>(commits.units);
    const char* file = sqlite3_db_filename(reader->db().handle(), "main");
    const std::string path = file ? file : "";
    if (!path.empty()) {
        stats.database_bytes = file_bytes(path);
        stats.wal_bytes = file_bytes(path + "-wal");
    }
    return stats;
}

}  // namespace tally::server
