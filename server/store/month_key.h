#pragma once
// A month as the rollups and snapshots key it: "YYYY-MM" ⇄ YYYYMM. Shared by the SQLite and
// PostgreSQL stores.

#include <cstdint>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::server {

//! "YYYY-MM" as YYYYMM. Errors: bad_request naming the text.
Result<std::int64_t> month_key(std::string_view month);
//! YYYYMM as "YYYY-MM".
std::string month_text(std::int64_t key);

}  // namespace tally::server
