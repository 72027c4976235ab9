#pragma once
// A heartbeat: one device's activity over one heartbeat interval. Its encoded bytes are what
// the hash chain links and what the server stores; encode_heartbeat() is the one canonical
// encoder (fixed key order, no whitespace), see PROTOCOL.md §3.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::pairing {

struct UserActivity {
    std::string principal;  //!< "alice", "alice@EXAMPLE.COM", "EXAMPLE\\alice" or an HMAC hex
    bool local = false;     //!< local account: distinct per device
    std::string kind;       //!< console|x11|wayland|tty|ssh|rdp|other (the most active session)
    std::uint32_t active_minutes = 0;

    bool operator==(const UserActivity&) const = default;
};

struct Heartbeat {
    std::uint64_t seq = 0;   //!< per device, from 1, never reused
    std::int64_t start = 0;  //!< Unix seconds, UTC
    std::int64_t end = 0;    //!< Unix seconds, UTC
    std::string boot_id;
    std::uint64_t uptime_s = 0;
    std::uint32_t device_active_minutes = 0;
    std::vector<UserActivity> users;
    std::string prev;  //!< hex SHA-256 of the previous heartbeat's bytes; kGenesisPrev for seq 1

    bool operator==(const Heartbeat&) const = default;
};

//! prev of a device's first heartbeat: 64 zeros.
extern const std::string kGenesisPrev;

//! Sorts users by (principal, local); the caller merges a user's sessions into one entry.
std::string encode_heartbeat(const Heartbeat& hb);
//! Strict: every field required, types checked, unknown/duplicate fields rejected, ranges
//! checked (end > start, minutes ≤ span in minutes, seq ≥ 1), times exactly as encoded, users
//! sorted by (principal, local) with no pair twice. Errors: code "bad_request", the message
//! names the field ("heartbeat.users[1].kind: ...").
Result<Heartbeat> decode_heartbeat(std::string_view bytes);

//! Hex SHA-256 of a heartbeat's encoded bytes: the next heartbeat's `prev`.
std::string chain_hash(std::string_view heartbeat_bytes);

}  // namespace tally::pairing
