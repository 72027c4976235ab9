// Table sizes and page counts of a SQLite file (see db_pages.h).

#include "bench/store/db_pages.h"

#include <sqlite3.h>

#include <stdexcept>

namespace tally::bench {
namespace {

sqlite3* open_db(const std::filesystem::path& db_path) {
    sqlite3* db = nullptr;
    if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        throw std::runtime_error("cannot open " + db_path.string());
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

}  // namespace

std::map<std::string, std::int64_t> table_sizes(const std::filesystem::path& db_path) {
    sqlite3* db = open_db(db_path);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    std::map<std::string, std::int64_t> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", -1, &s,
                           nullptr) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] =
                sqlite3_column_int64(s, 1);
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

PageCounts page_counts(const std::filesystem::path& db_path) {
    sqlite3* db = open_db(db_path);
    std::int64_t v[3] = {};
    const char* pragmas[] = {"PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size"};
    for (int i = 0; i < 3; ++i) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, pragmas[i], -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            v[i] = sqlite3_column_int64(s, 0);
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return {v[2], v[0], v[1]};
}

}  // namespace tally::bench
