#pragma once
// RFC 4180 CSV: fields with comma, quote, CR or LF are quoted and quotes doubled; rows end
// with CRLF. CSV injection (OWASP): a text field that starts with = + - @, a tab or a CR
// would be run as a formula by a spreadsheet, so it is written with a leading apostrophe
// (shown as text, the apostrophe hidden); a plain number such as -3 or 1.5 is left as is.

#include <string>
#include <string_view>
#include <vector>

namespace tally::server {

//! One field, neutralised and quoted as needed (every CSV export goes through here).
std::string csv_field(std::string_view value);
//! True when a spreadsheet would read `value` as a formula.
bool csv_formula_like(std::string_view value);
std::string csv_row(const std::vector<std::string>& fields);
//! csv_field(value) appended to `out` (no temporary string for a field that needs no change).
void append_csv_field(std::string& out, std::string_view value);
//! csv_row(fields) appended to `out`.
void append_csv_row(std::string& out, const std::vector<std::string>& fields);

}  // namespace tally::server
