// PgArray (see pg_array.h).

#include "server/store/postgres/pg_array.h"

namespace tally::server {

void PgArray::separate() {
    if (size_++ > 0) {
        out_.push_back(',');
    }
}

PgArray& PgArray::text(std::string_view value) {
    separate();
    // Quoted, with `"` and `\` escaped: any text, including "NULL", commas and braces.
    out_.push_back('"');
    for (const char c : value) {
        if (c == '"' || c == '\\') {
            out_.push_back('\\');
        }
        out_.push_back(c);
    }
    out_.push_back('"');
    return *this;
}

PgArray& PgArray::int64(std::int64_t value) {
    separate();
    out_ += std::to_string(value);
    return *this;
}

PgArray& PgArray::int64(const std::optional<std::int64_t>& value) {
    separate();
    out_ += value ? std::to_string(*value) : std::string("NULL");
    return *this;
}

PgArray& PgArray::boolean(bool value) {
    separate();
    out_.push_back(value ? 't' : 'f');
    return *this;
}

}  // namespace tally::server
