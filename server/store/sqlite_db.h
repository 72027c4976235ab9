#pragma once
// Thin RAII wrappers over the SQLite C API: a connection with a prepared-statement cache, a
// statement, a transaction guard, a savepoint guard. Errors come back as tally::Result values
// naming the failing SQL.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pairing/result.h"

namespace tally::server {

class SqliteStatement;

class SqliteDb {
  public:
    //! Opens (creating) the database file; WAL, foreign keys, synchronous=FULL, busy timeout.
    static Result<std::unique_ptr<SqliteDb>> open(const std::string& path);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    Result<void> exec(std::string_view sql);
    //! A statement for `sql`, compiled once per connection: a statement taken from the cache
    //! goes back to it (reset, bindings cleared) when the SqliteStatement is destroyed. Two
    //! live statements with the same text are two compiled statements.
    Result<SqliteStatement> prepare(std::string_view sql);
    std::int64_t changes() const;
    Error error(std::string_view what) const;
    sqlite3* handle() { return db_; }
    //! True outside an explicit transaction (also after SQLite rolled one back on an error).
    bool autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

  private:
    friend class SqliteStatement;
    explicit SqliteDb(sqlite3* db) : db_(db) {}
    void give_back(sqlite3_stmt* stmt);

    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    sqlite3* db_;
    //! Idle compiled statements by SQL text (bounded by the program's distinct SQL texts).
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>, TextHash, std::equal_to<>> cache_;
};

//! A prepared statement. bind_* take 1-based indexes; step() returns true while rows remain.
class SqliteStatement {
  public:
    SqliteStatement(SqliteDb& db, sqlite3_stmt* stmt, bool cached)
        : db_(&db), stmt_(stmt), cached_(cached) {}
    SqliteStatement(SqliteStatement&& other) noexcept;
    SqliteStatement& operator=(SqliteStatement&&) = delete;
    SqliteStatement(const SqliteStatement&) = delete;
    ~SqliteStatement();

    SqliteStatement& bind(int index, std::int64_t value);
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bind_blob(int index, std::string_view bytes);
    SqliteStatement& bind_null(int index);
    SqliteStatement& bind(int index, const std::optional<std::int64_t>& value);

    Result<bool> step();
    //! Makes the statement ready to bind and step again.
    SqliteStatement& reset();
    //! Runs a statement that returns no rows.
    Result<void> run();
    //! Steps through every row, calling fn(*this) for each; stops at the first error.
    template <typename Fn>
    Result<void> each_row(Fn&& fn) {
        for (;;) {
            auto row = step();
            if (!row) {
                return row.error();
            }
            if (!*row) {
                return {};
            }
            fn(*this);
        }
    }

    std::int64_t int64(int column) const;
    std::string text(int column) const;  //!< text or blob bytes; "" for NULL
    //! text(), without a copy: valid until the next step, reset or column read of the row.
    std::string_view text_view(int column) const;
    bool is_null(int column) const;

  private:
    SqliteDb* db_;
    sqlite3_stmt* stmt_;
    bool cached_;  //!< returned to db_'s cache on destruction, else finalized
};

//! BEGIN IMMEDIATE on construction; rolls back unless commit() succeeded.
class SqliteTransaction {
  public:
    static Result<SqliteTransaction> begin(SqliteDb& db);
    SqliteTransaction(SqliteTransaction&& other) noexcept;
    SqliteTransaction& operator=(SqliteTransaction&&) = delete;
    ~SqliteTransaction();
    Result<void> commit();

  private:
    explicit SqliteTransaction(SqliteDb& db) : db_(&db) {}
    SqliteDb* db_;
    bool open_ = true;
};

//! SAVEPOINT inside a transaction; rolled back to (and released) unless release() succeeded,
//! so one failed unit of work leaves the rest of the transaction intact.
class SqliteSavepoint {
  public:
    static Result<SqliteSavepoint> begin(SqliteDb& db);
    SqliteSavepoint(SqliteSavepoint&& other) noexcept;
    SqliteSavepoint& operator=(SqliteSavepoint&&) = delete;
    ~SqliteSavepoint();
    Result<void> release();

  private:
    explicit SqliteSavepoint(SqliteDb& db) : db_(&db) {}
    SqliteDb* db_;
    bool open_ = true;
};

}  // namespace tally::server
