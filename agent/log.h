#pragma once
// Operator logs: one line per event that matters, with the reason. Default level "info"
// prints state changes and failures, never per-sample noise. Lines go to stderr (the service
// manager's journal/event log captures them). Secrets (pairing codes, keys, tokens) are never
// passed here.

#include <functional>
#include <string>
#include <string_view>

namespace tally::agent {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

void set_log_level(LogLevel level);
bool parse_log_level(std::string_view text, LogLevel& out);
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view component, std::string_view message);

//! Where lines go instead of stderr (the Windows service sends them to the event log);
//! `line` is the formatted line without its newline. An empty function restores stderr.
using LogSink = std::function<void(LogLevel level, std::string_view line)>;
void set_log_sink(LogSink sink);

inline void log_error(std::string_view c, std::string_view m) {
    log_line(LogLevel::error, c, m);
}
inline void log_warn(std::string_view c, std::string_view m) {
    log_line(LogLevel::warn, c, m);
}
inline void log_info(std::string_view c, std::string_view m) {
    log_line(LogLevel::info, c, m);
}
inline void log_debug(std::string_view c, std::string_view m) {
    if (log_enabled(LogLevel::debug))
        log_line(LogLevel::debug, c, m);
}

}  // namespace tally::agent
