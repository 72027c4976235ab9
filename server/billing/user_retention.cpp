// Release and purge of users (see user_retention.h).

#include "server/billing/user_retention.h"

#include "server/billing/user_key.h"

namespace tally::server::billing {

Retention retention_of(std::int64_t last_signal) {
    const auto released = last_signal + kReleaseSeconds;
    return {released, released + kPurgeAfterReleaseSeconds};
}

bool is_released(std::int64_t last_signal, std::int64_t now) {
    return retention_of(last_signal).released_at <= now;
}

bool is_purge_due(std::int64_t last_signal, std::int64_t now) {
    return retention_of(last_signal).purge_at <= now;
}

std::vector<std::string> users_to_purge(const std::map<std::string, std::int64_t>& last_signals,
                                        std::int64_t now) {
    std::vector<std::string> out;
    for (const auto& [key, last] : last_signals) {
        if (!is_surrogate(key) && is_purge_due(last, now)) {
            out.push_back(key);
        }
    }
    return out;
}

}  // namespace tally::server::billing
