// PgConnection and PgResult (see pg_connection.h).

#include "server/store/postgres/pg_connection.h"

#include <charconv>
#include <stdexcept>

#include "server/store/postgres/pg_error.h"

namespace tally::server {

PgParam pg_param(std::string_view text) {
    return std::string(text);
}
PgParam pg_param(std::int64_t value) {
    return std::to_string(value);
}
PgParam pg_param(const std::optional<std::int64_t>& value) {
    return value ? PgParam(std::to_string(*value)) : std::nullopt;
}
PgParam pg_param(const std::optional<std::string>& value) {
    return value;
}

PgParam pg_hex_param(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

std::string PgResult::text(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col),
                       static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
}

std::int64_t PgResult::int64(int row, int col) const {
    const char* v = PQgetvalue(r_.get(), row, col);
    const char* end = v + PQgetlength(r_.get(), row, col);
    std::int64_t out = 0;
    if (auto [p, ec] = std::from_chars(v, end, out); ec != std::errc() || p != end) {
        // The schema makes the column an integer: anything else is a programming error.
        throw std::logic_error("PostgreSQL column " + std::to_string(col) + " is not an integer");
    }
    return out;
}

std::optional<std::int64_t> PgResult::opt_int64(int row, int col) const {
    return is_null(row, col) ? std::nullopt : std::optional<std::int64_t>(int64(row, col));
}

std::string PgResult::hex_bytes(int row, int col) const {
    const std::string hex = text(row, col);
    std::string out;
    out.reserve(hex.size() / 2);
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
    }
    return out;
}

std::int64_t PgResult::affected() const {
    const std::string n = PQcmdTuples(r_.get());
    return n.empty() ? 0 : std::stoll(n);
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& url) {
    if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) {
        return make_error("bad_request", "a PostgreSQL database is named by a postgresql:// URL");
    }
    std::unique_ptr<PgConnection> c(new PgConnection(PQconnectdb(url.c_str())));
    if (!c->conn_ || PQstatus(c->conn_.get()) != CONNECTION_OK) {
        std::string why = c->conn_ ? PQerrorMessage(c->conn_.get()) : "out of memory";
        while (!why.empty() && why.back() == '\n') {
            why.pop_back();
        }
        return make_error("db_unavailable", "cannot connect to PostgreSQL: " + why);
    }
    if (auto r = c->command("SET client_min_messages = warning"); !r) {
        return r.error();
    }
    return c;
}

Result<std::string> PgConnection::prepared_name(const std::string& sql, std::size_t params) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) {
        return it->second;
    }
    std::string name = "s" + std::to_string(prepared_.size());
    PgResult r(
        PQprepare(conn_.get(), name.c_str(), sql.c_str(), static_cast<int>(params), nullptr));
    if (PQresultStatus(r.raw()) != PGRES_COMMAND_OK) {
        return pg_error(r.raw(), conn_.get());
    }
    prepared_.emplace(sql, name);
    return name;
}

Result<PgResult> PgConnection::exec(const std::string& sql, const PgParams& params,
                                    bool binary_result) {
    auto name = prepared_name(sql, params.size());
    if (!name) {
        return name.error();
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    PgResult r(PQexecPrepared(conn_.get(), name->c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, binary_result ? 1 : 0));
    const auto status = PQresultStatus(r.raw());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return pg_error(r.raw(), conn_.get());
    }
    return r;
}

Result<void> PgConnection::command(const std::string& sql) {
    PgResult r(PQexec(conn_.get(), sql.c_str()));
    const auto status = PQresultStatus(r.raw());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return pg_error(r.raw(), conn_.get());
    }
    return {};
}

}  // namespace tally::server
