#pragma once
// User keys: how the billing model names a person. Directory principals are one person
// across devices and compare case-insensitively (ASCII), so their key is the lowercased
// principal; local accounts are distinct per device: "local:<device_id>/<principal>".
// Purged users are named by a surrogate starting with "purged-".

#include <cstdint>
#include <string>
#include <string_view>

namespace tally::server::billing {

//! A user with no signal for this long is released (its license freed).
constexpr std::int64_t kReleaseSeconds = 30 * 86400;
//! User metadata is deleted this long after release.
constexpr std::int64_t kPurgeAfterReleaseSeconds = 90 * 86400;
//! The trailing window of the computed primary user.
constexpr std::int64_t kPrimaryWindowSeconds = 30 * 86400;

std::string ascii_lower(std::string_view text);
std::string user_key(std::string_view principal, bool local, std::string_view device_id);
//! user_key into `out` (replacing its text, reusing its storage).
void assign_user_key(std::string& out, std::string_view principal, bool local,
                     std::string_view device_id);
//! A principal typed by an admin: "local:<device>/<name>" is taken as is, else lowercased.
std::string user_key_from_admin(std::string_view text);
bool is_surrogate(std::string_view key);

}  // namespace tally::server::billing
