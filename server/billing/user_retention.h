#pragma once
// DESIGN.md §5 rule 4, the one place it is decided: a user with no signal from any device for
// 30 consecutive days is released (its license freed); its metadata is deleted permanently
// 90 days after the release. Retired devices are never purged (kept for audit).
//
// Both periods are elapsed time from the user's last signal (the end of its latest counted
// heartbeat): 30 × 24 h, then 90 × 24 h. So the dates are the same instants in every tenant
// zone and a DST change inside a period moves neither (a local-calendar rule would release
// an hour earlier or later across a change, and differ by tenant zone for the same data).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tally::server::billing {

struct Retention {
    std::int64_t released_at = 0;  //!< released from this instant on
    std::int64_t purge_at = 0;     //!< metadata deleted by a purge from this instant on
};

//! The release and purge instants of a user whose last signal is `last_signal`.
Retention retention_of(std::int64_t last_signal);
//! Released (license freed) at `now`.
bool is_released(std::int64_t last_signal, std::int64_t now);
//! A purge at `now` deletes the user's metadata.
bool is_purge_due(std::int64_t last_signal, std::int64_t now);

//! The users a purge at `now` deletes, in key order, of `last_signals` (user key → last
//! signal). A surrogate (a user purged before) is never named again.
std::vector<std::string> users_to_purge(const std::map<std::string, std::int64_t>& last_signals,
                                        std::int64_t now);

}  // namespace tally::server::billing
