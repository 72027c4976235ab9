#pragma once
// Thin RAII wrappers over the SQLite C API: a connection, a prepared statement, a
// transaction guard. Errors come back as tally::Result values naming the failing SQL.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
    Result<SqliteStatement> prepare(std::string_view sql);
    std::int64_t changes() const;
    Error error(std::string_view what) const;
    sqlite3* handle() { return db_; }

  private:
    explicit SqliteDb(sqlite3* db) : db_(db) {}
    sqlite3* db_;
};

//! A prepared statement. bind_* take 1-based indexes; step() returns true while rows remain.
class SqliteStatement {
  public:
    SqliteStatement(SqliteDb& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
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

    std::int64_t int64(int column) const;
    std::string text(int column) const;  //!< text or blob bytes; "" for NULL
    bool is_null(int column) const;

  private:
    SqliteDb* db_;
    sqlite3_stmt* stmt_;
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

}  // namespace tally::server
