// Event log lines on stderr (see event_log.h).

#include "server/http/event_log.h"

#include <ctime>
#include <iostream>
#include <mutex>

#include "pairing/time_format.h"

namespace tally::server {

std::string escape_for_log(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || c == '\\') {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

void log_event(std::string_view line) {
    const std::string escaped = escape_for_log(line);
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::cerr << pairing::format_rfc3339(std::time(nullptr)) << ' ' << escaped << std::endl;
}

}  // namespace tally::server
