#include "agent/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "pairing/time_format.h"

namespace tally::agent {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::mutex g_mutex;
LogSink g_sink;  // guarded by g_mutex

const char* level_name(LogLevel l) {
    switch (l) {
        case LogLevel::error:
            return "error";
        case LogLevel::warn:
            return "warn";
        case LogLevel::info:
            return "info";
        case LogLevel::debug:
            return "debug";
    }
    return "?";
}
}  // namespace

void set_log_level(LogLevel level) {
    g_level = static_cast<int>(level);
}

bool parse_log_level(std::string_view text, LogLevel& out) {
    for (auto l : {LogLevel::error, LogLevel::warn, LogLevel::info, LogLevel::debug}) {
        if (text == level_name(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

void set_log_sink(LogSink sink) {
    std::lock_guard lock(g_mutex);
    g_sink = std::move(sink);
}

bool log_enabled(LogLevel level) {
    return static_cast<int>(level) <= g_level.load();
}

void log_line(LogLevel level, std::string_view component, std::string_view message) {
    if (!log_enabled(level))
        return;
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    std::string line = pairing::format_rfc3339(secs);
    line += ' ';
    line += level_name(level);
    line += ' ';
    line += component;
    line += ": ";
    line += message;
    std::lock_guard lock(g_mutex);
    if (g_sink) {
        g_sink(level, line);
        return;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace tally::agent
