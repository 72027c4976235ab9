// Pairing limits per source address (see pair_gate.h).

#include "server/ingest/pair_gate.h"

#include <algorithm>

namespace tally::server {

PairGate::PairGate(PairLimits limits)
    : failures_(RateLimit{limits.failure_burst, limits.failure_per_second}),
      valid_(RateLimit{limits.valid_burst, limits.valid_per_second}) {}

std::optional<std::int64_t> PairGate::admit(const std::string& address, double now_s) {
    const auto failed = failures_.peek(address, now_s);
    const auto paired = valid_.peek(address, now_s);
    if (!failed && !paired) {
        return std::nullopt;
    }
    return std::max(failed.value_or(0), paired.value_or(0));
}

bool PairGate::counts_as_failure(const std::string& error_code) {
    // The server's own trouble (db, internal) is not the client's failed attempt.
    return !error_code.empty() && error_code != "db" && error_code != "internal";
}

void PairGate::record(const std::string& address, const std::string& error_code, double now_s) {
    if (error_code.empty()) {
        (void)valid_.take(address, now_s);  // an empty bucket refuses the next admit
    } else if (counts_as_failure(error_code)) {
        (void)failures_.take(address, now_s);
    }
}

}  // namespace tally::server
