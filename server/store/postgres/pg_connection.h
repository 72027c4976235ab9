#pragma once
// One libpq connection: statements are prepared once per connection (keyed by SQL text) and
// run with text parameters; errors come back as values whose code says whether a retry can
// succeed (pg_error.h). Not thread-safe: one thread at a time holds it (PgPool::Lease).

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pairing/result.h"

namespace tally::server {

//! A statement parameter in text form; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;
using PgParams = std::vector<PgParam>;

PgParam pg_param(std::string_view text);
inline PgParam pg_param(const std::string& text) {
    return text;
}
inline PgParam pg_param(const char* text) {
    return std::string(text);
}
PgParam pg_param(std::int64_t value);
PgParam pg_param(const std::optional<std::int64_t>& value);
PgParam pg_param(const std::optional<std::string>& value);
//! Bytes as a hex string, for `decode($n, 'hex')` into a bytea column.
PgParam pg_hex_param(std::string_view bytes);

//! The rows of one statement (text format).
class PgResult {
  public:
    explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string text(int row, int col) const;
    std::int64_t int64(int row, int col) const;
    std::optional<std::int64_t> opt_int64(int row, int col) const;
    bool boolean(int row, int col) const { return text(row, col) == "t"; }
    //! Bytes of a column selected as `encode(x, 'hex')`.
    std::string hex_bytes(int row, int col) const;
    //! Rows inserted, updated or deleted.
    std::int64_t affected() const;
    const PGresult* raw() const { return r_.get(); }

  private:
    std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class PgConnection {
  public:
    //! Connects to a postgresql:// URL. Errors: db_unavailable (never shows the password).
    static Result<std::unique_ptr<PgConnection>> connect(const std::string& url);

    //! Runs one statement, prepared on first use on this connection. `binary_result`: the
    //! rows come back in binary format, where PgResult::text of a bytea column is its raw bytes
    //! (no hex text twice their size to hold and decode); select other columns as ::text.
    Result<PgResult> exec(const std::string& sql, const PgParams& params = {},
                          bool binary_result = false);
    //! Runs SQL text without parameters (transaction control, migration scripts).
    Result<void> command(const std::string& sql);
    //! True once the server connection is lost: the pool then drops it.
    bool broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

  private:
    explicit PgConnection(PGconn* conn) : conn_(conn, &PQfinish) {}
    Result<std::string> prepared_name(const std::string& sql, std::size_t params);

    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::unordered_map<std::string, std::string> prepared_;
};

}  // namespace tally::server
