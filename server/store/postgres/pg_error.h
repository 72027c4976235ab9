#pragma once
// PostgreSQL failures as Tally errors. Codes:
//   db_retry        serialization failure (40001), deadlock (40P01) or a lost connection
//                   (class 08, or the connection went bad): the transaction may be run again
//   db_unique       a unique constraint refused the row (23505)
//   db_unavailable  no connection could be made
//   db              anything else
// Messages name the problem from the server's primary message; they never carry the URL.

#include <libpq-fe.h>

#include "pairing/result.h"

namespace tally::server {

Error pg_error(const PGresult* result, const PGconn* conn);
//! Whether pg_transaction may run the work again after this error.
inline bool pg_retryable(const Error& e) {
    return e.code == "db_retry";
}

}  // namespace tally::server
