// Event log lines on stderr (see event_log.h).

#include "server/http/event_log.h"

#include <ctime>
#include <iostream>
#include <mutex>

#include "pairing/time_format.h"

namespace tally::server {

void log_event(std::string_view line) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::cerr << pairing::format_rfc3339(std::time(nullptr)) << ' ' << line << std::endl;
}

}  // namespace tally::server
