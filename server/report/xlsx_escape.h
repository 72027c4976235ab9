#pragma once
// Text as SpreadsheetML cell content and attribute values: XML escapes (& < > "), Excel's
// `_xHHHH_` escape for characters XML 1.0 cannot carry (control characters other than tab and
// line feed, U+FFFE, U+FFFF), a literal `_xHHHH_` written as `_x005F_xHHHH_` so Excel reads it
// back unchanged, and bytes that are not UTF-8 replaced by U+FFFD (the file must stay XML).

#include <string>
#include <string_view>

namespace tally::server {

//! Appends `text` escaped for a `<t>` element (or an attribute value) to `out`.
void append_xlsx_text(std::string& out, std::string_view text);

//! True when `text` starts or ends with whitespace (the `<t>` then needs xml:space="preserve").
bool xlsx_needs_space_preserve(std::string_view text);

}  // namespace tally::server
