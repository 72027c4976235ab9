// The store factory (see open_store.h).

#include "server/store/open_store.h"

#include "server/store/postgres/postgres_store.h"
#include "server/store/sqlite_store.h"

namespace tally::server {

Result<DbChoice> parse_db(const std::optional<std::string>& db,
                          const std::filesystem::path& data_dir) {
    if (!db) {
        return DbChoice{DbChoice::Kind::sqlite, (data_dir / "tally.db").string()};
    }
    if (db->starts_with("postgresql://") || db->starts_with("postgres://")) {
        return DbChoice{DbChoice::Kind::postgres, *db};
    }
    if (db->starts_with("sqlite:") && db->size() > 7) {
        return DbChoice{DbChoice::Kind::sqlite, db->substr(7)};
    }
    return make_error("usage",
                      "--db: expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE or "
                      "sqlite:PATH");
}

Result<std::unique_ptr<Store>> open_store(const DbChoice& choice) {
    if (choice.kind == DbChoice::Kind::postgres) {
        auto pg = PostgresStore::open(choice.target);
        if (!pg) {
            return pg.error();
        }
        return std::unique_ptr<Store>(std::move(*pg));
    }
    auto lite = SqliteStore::open(choice.target);
    if (!lite) {
        return lite.error();
    }
    return std::unique_ptr<Store>(std::move(*lite));
}

}  // namespace tally::server
