// Maps libpq failures to Tally errors (see pg_error.h).

#include "server/store/postgres/pg_error.h"

#include <string>

namespace tally::server {

Error pg_error(const PGresult* result, const PGconn* conn) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = primary ? primary : PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    const std::string sqlstate = state ? state : "";
    message = "PostgreSQL: " + message + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")");
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate.rfind("08", 0) == 0 ||
        PQstatus(conn) != CONNECTION_OK) {
        return make_error("db_retry", message);
    }
    if (sqlstate == "23505") {
        return make_error("db_unique", message);
    }
    return make_error("db", message);
}

}  // namespace tally::server
