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
    std::string out;
    append_csv_field(out, raw);
    return out;
}

void append_csv_field(std::string& out, std::string_view value) {
    const bool neutral = csv_formula_like(value);
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
        if (neutral) {
            out += '\'';
        }
        out += value;
        return;
    }
    out += '"';
    if (neutral) {
        out += '\'';
    }
    for (const char c : value) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
}

std::string csv_row(const std::vector<std::string>& fields) {
    std::string out;
    append_csv_row(out, fields);
    return out;
}

void append_csv_row(std::string& out, const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_csv_field(out, fields[i]);
    }
    out += "\r\n";
}

}  // namespace tally::server
