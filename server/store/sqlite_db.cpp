// SQLite RAII wrappers (see sqlite_db.h).

#include "server/store/sqlite_db.h"

#include <utility>

namespace tally::server {

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path) {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
    if (rc != SQLITE_OK) {
        return make_error("io", "cannot open database " + path + ": " +
                                    (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 10000);
    // WAL lets the CLI read while the server writes. synchronous=FULL (not NORMAL): in WAL
    // mode NORMAL survives a process crash but may lose the last commits on power loss, and
    // an acknowledged heartbeat is deleted by the agent, so a commit must be on disk before
    // the 200 answer.
    // A 32 MB page cache keeps the devices table and the hot index pages in memory; temp
    // B-trees (ORDER BY, GROUP BY of reports) stay in memory.
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
          "PRAGMA cache_size=-32768", "PRAGMA temp_store=MEMORY"}) {
        if (auto r = db->exec(pragma); !r) {
            return r.error();
        }
    }
    return db;
}

SqliteDb::~SqliteDb() {
    for (auto& [sql, stmts] : cache_) {
        for (auto* stmt : stmts) {
            sqlite3_finalize(stmt);
        }
    }
    sqlite3_close_v2(db_);
}

Error SqliteDb::error(std::string_view what) const {
    return make_error("db", std::string(what) + ": " + sqlite3_errmsg(db_));
}

Result<void> SqliteDb::exec(std::string_view sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        std::string text = msg ? msg : "unknown error";
        sqlite3_free(msg);
        return make_error("db", "SQL failed (" + std::string(sql.substr(0, 60)) + "): " + text);
    }
    return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end() && !it->second.empty()) {
        sqlite3_stmt* stmt = it->second.back();
        it->second.pop_back();
        return SqliteStatement(*this, stmt, true);
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
        return error("prepare " + std::string(sql.substr(0, 60)));
    }
    // Only a statement whose text is all of `sql` can be found again under that text.
    const bool cacheable = stmt != nullptr && sql == sqlite3_sql(stmt);
    return SqliteStatement(*this, stmt, cacheable);
}

void SqliteDb::give_back(sqlite3_stmt* stmt) {
    // Bounded: the SQL texts are the program's own (a few hundred at most); a runaway of
    // distinct texts would stop being cached rather than grow without bound.
    constexpr std::size_t kMaxTexts = 512;
    constexpr std::size_t kMaxPerText = 4;
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    const std::string_view sql = sqlite3_sql(stmt);
    auto it = cache_.find(sql);
    if (it == cache_.end() && cache_.size() < kMaxTexts) {
        it = cache_.emplace(std::string(sql), std::vector<sqlite3_stmt*>{}).first;
    }
    if (it == cache_.end() || it->second.size() >= kMaxPerText) {
        sqlite3_finalize(stmt);
        return;
    }
    it->second.push_back(stmt);
}

std::int64_t SqliteDb::changes() const {
    return sqlite3_changes64(db_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), cached_(other.cached_) {}

SqliteStatement::~SqliteStatement() {
    if (stmt_ != nullptr && cached_) {
        db_->give_back(stmt_);
    } else {
        sqlite3_finalize(stmt_);
    }
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

Result<bool> SqliteStatement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return db_->error("step " + std::string(sqlite3_sql(stmt_)).substr(0, 60));
}

SqliteStatement& SqliteStatement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
}

Result<void> SqliteStatement::run() {
    auto r = step();
    if (!r) {
        return r.error();
    }
    return {};
}

std::int64_t SqliteStatement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::text(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string_view SqliteStatement::text_view(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

bool SqliteStatement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

namespace {

Result<void> run_cached(SqliteDb& db, std::string_view sql) {
    auto s = db.prepare(sql);
    if (!s) {
        return s.error();
    }
    return s->run();
}

}  // namespace

Result<SqliteTransaction> SqliteTransaction::begin(SqliteDb& db) {
    if (auto r = run_cached(db, "BEGIN IMMEDIATE"); !r) {
        return r.error();
    }
    return SqliteTransaction(db);
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

SqliteTransaction::~SqliteTransaction() {
    // SQLite may already have rolled back on an I/O or full-disk error.
    if (open_ && !db_->autocommit()) {
        (void)db_->exec("ROLLBACK");
    }
}

Result<void> SqliteTransaction::commit() {
    auto r = run_cached(*db_, "COMMIT");
    if (r) {
        open_ = false;
    }
    return r;
}

Result<SqliteSavepoint> SqliteSavepoint::begin(SqliteDb& db) {
    if (auto r = run_cached(db, "SAVEPOINT unit"); !r) {
        return r.error();
    }
    return SqliteSavepoint(db);
}

SqliteSavepoint::SqliteSavepoint(SqliteSavepoint&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

SqliteSavepoint::~SqliteSavepoint() {
    // After an error that ended the whole transaction there is no savepoint left to undo.
    if (open_ && !db_->autocommit()) {
        (void)run_cached(*db_, "ROLLBACK TO unit");
        (void)run_cached(*db_, "RELEASE unit");
    }
}

Result<void> SqliteSavepoint::release() {
    auto r = run_cached(*db_, "RELEASE unit");
    if (r) {
        open_ = false;
    }
    return r;
}

}  // namespace tally::server
