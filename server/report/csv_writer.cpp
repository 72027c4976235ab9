// RFC 4180 CSV fields and rows (see csv_writer.h).

#include "server/report/csv_writer.h"

namespace tally::server {

namespace {

bool plain_number(std::string_view v) {
    if (!v.empty() && (v.front() == '-' || v.front() == '+')) {
        v.remove_prefix(1);
    }
    bool digits = false;
    bool dot = false;
    for (const char c : v) {
        if (c >= '0' && c <= '9') {
            digits = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    return digits;
}

}  // namespace

bool csv_formula_like(std::string_view value) {
    if (value.empty() || value.find_first_of("=+-@\t\r") != 0) {
        return false;
    }
    return !plain_number(value);
}

std::string csv_field(std::string_view raw) {
    std::string neutral;
    if (csv_formula_like(raw)) {
        neutral = "'" + std::string(raw);
        raw = neutral;
    }
    const std::string_view value = raw;
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
        return std::string(value);
    }
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += csv_field(fields[i]);
    }
    out += "\r\n";
    return out;
}

}  // namespace tally::server
