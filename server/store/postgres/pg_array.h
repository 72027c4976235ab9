#pragma once
// PostgreSQL array literals in text form, for multi-row statements of one prepared text:
// `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)` writes any number of rows in
// one round trip with one prepared statement (its text does not depend on the row count).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/postgres/pg_connection.h"

namespace tally::server {

//! Builds one array literal element by element: `{"a","b"}`, `{1,NULL,3}`, `{t,f}`.
class PgArray {
  public:
    PgArray& text(std::string_view value);
    PgArray& int64(std::int64_t value);
    PgArray& int64(const std::optional<std::int64_t>& value);
    PgArray& boolean(bool value);
    std::size_t size() const { return size_; }
    //! The literal, as a text parameter (cast it in the statement: `$1::bigint[]`).
    PgParam param() const { return out_ + "}"; }

  private:
    void separate();
    std::string out_ = "{";
    std::size_t size_ = 0;
};

}  // namespace tally::server
