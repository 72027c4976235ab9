#pragma once
// Which store a tally-server command opens (`--db`): `postgresql://…` (or `postgres://…`) is
// the PostgreSQL store (server/store/postgres/), `sqlite:PATH` a SQLite database file, and
// no --db the SQLite database in the data dir (DIR/tally.db). The only place that knows both
// backends; callers see a Store.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "pairing/result.h"
#include "server/store/store.h"

namespace tally::server {

struct DbChoice {
    enum class Kind { sqlite, postgres };
    Kind kind = Kind::sqlite;
    std::string target;  //!< the SQLite file, or the PostgreSQL URL
};

//! Error usage for a --db that is neither form (the message never repeats a URL: it may carry
//! a password).
Result<DbChoice> parse_db(const std::optional<std::string>& db,
                          const std::filesystem::path& data_dir);

//! Opens (and migrates) the chosen store.
Result<std::unique_ptr<Store>> open_store(const DbChoice& choice);

}  // namespace tally::server
