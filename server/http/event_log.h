#pragma once
// One line per event that matters, on stderr, with a UTC timestamp. Never pass codes,
// tokens or keys here. Request fields reach these lines, so every line is escaped: a byte
// below 0x20, 0x7f or a backslash is written as \xNN (a forged newline cannot start a
// fake line, an escape sequence cannot drive the terminal).

#include <string>
#include <string_view>

namespace tally::server {

void log_event(std::string_view line);
//! `text` with the escaping log_event applies.
std::string escape_for_log(std::string_view text);

}  // namespace tally::server
