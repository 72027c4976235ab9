#pragma once
// One line per event that matters, on stderr, with a UTC timestamp. Never pass codes,
// tokens or keys here.

#include <string_view>

namespace tally::server {

void log_event(std::string_view line);

}  // namespace tally::server
