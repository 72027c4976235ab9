#pragma once
// Plain records the Store hands in and out. No SQL here: a PostgreSQL store uses the same.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/batch.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"

namespace tally::server {

struct Tenant {
    std::string name;
    std::string status;  //!< "active" | "inactive"
    std::int64_t created_at = 0;
};

struct NewPairingCode {
    std::string tenant;
    std::string code_hash;  //!< hex SHA-256 of the canonical code
    std::int64_t uses = 1;
    std::int64_t expires_at = 0;
};

struct Device {
    std::string id;
    std::string tenant;
    std::string public_key;  //!< raw 65-byte point
    pairing::DeviceFacts facts;
    std::int64_t paired_at = 0;
    std::optional<std::int64_t> retired_at;
    bool suspected_clone = false;
    std::uint64_t acked_through = 0;
    std::uint64_t last_seq = 0;
    std::optional<std::int64_t> last_seen;
};

//! A pairing attempt that passed the signature and time checks.
struct PairAttempt {
    std::string code_hash;
    std::string public_key;  //!< raw 65-byte point
    pairing::DeviceFacts facts;
    std::string new_device_id;  //!< used only when the key is new
    std::int64_t now = 0;
    //! How a new device is enrolled when not by a pairing code ("import_tofu"): recorded in
    //! the same transaction that creates the device, so the report always says so.
    std::string enrollment;
};

//! A heartbeat that passed decoding and the time window: its exact bytes and its numbers.
struct AcceptedHeartbeat {
    std::string bytes;
    pairing::Heartbeat decoded;
    //! Outside the time window: held as evidence (closes the ack), never counted. The same
    //! bytes stored later without this flag (bundle import) are promoted to counted.
    bool held = false;
};

//! The request body a device signed and its signature, kept as the batch's evidence.
struct SignedUpload {
    std::string_view body;  //!< the exact request bytes (the gzip stream)
    std::string signature;  //!< 64-byte r||s
};

struct StoreBatchResult {
    std::uint64_t acked_through = 0;
    std::uint32_t accepted = 0;
    std::uint32_t duplicates = 0;
    std::uint32_t forks = 0;
    std::uint32_t held = 0;          //!< newly held out-of-window heartbeats
    std::uint32_t chain_breaks = 0;  //!< newly seen breaks of the hash chain
};

//! What the server holds about a device's delivery, beyond the counted heartbeats.
struct DeviceEvidence {
    std::uint64_t gap_seqs = 0;        //!< seqs the agent declared lost (union of gap ranges)
    std::uint64_t lost_by_server = 0;  //!< of those, the ones this server had acknowledged and
                                       //!< then lost (gap reason "server_lost": a restore)
    std::uint64_t forks = 0;           //!< distinct seqs seen again with different bytes
    std::uint64_t chain_breaks = 0;    //!< seqs whose `prev` does not match the seq before
    std::uint64_t held = 0;            //!< out-of-window heartbeats held, not counted
    bool revoked = false;              //!< retired by `tally-server device revoke`
    bool trust_on_first_use = false;   //!< registered by a bundle import, not a pairing code
};

struct AdminToken {
    std::optional<std::string> tenant;       //!< nullopt: global token
    std::optional<std::int64_t> expires_at;  //!< nullopt: never (tokens made before expiry)
    std::optional<std::int64_t> revoked_at;
};

//! A new admin token (only its hash is kept).
struct NewAdminToken {
    std::string token_hash;
    std::optional<std::string> tenant;  //!< nullopt: global
    std::string name;
    std::optional<std::int64_t> expires_at;
};

//! An admin token as listed: never the token, an id (the first 12 hex digits of its hash).
struct AdminTokenInfo {
    std::string id;
    std::string name;
    std::optional<std::string> tenant;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> expires_at;
    std::optional<std::int64_t> revoked_at;
};

// --- usage aggregation rows (one SQL aggregation each) ---

struct DeviceUsageRow {
    Device device;
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::int64_t heartbeats = 0;
    std::vector<std::string> users;  //!< principals with active minutes on this device
    DeviceEvidence evidence;
};

struct UserUsageRow {
    std::string principal;
    bool local = false;
    std::string device_id;  //!< for local accounts, the one device they belong to
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::vector<std::string> devices;
};

struct UsageData {
    std::vector<DeviceUsageRow> devices;
    std::vector<UserUsageRow> users;  //!< users with ≥ 1 active minute, on non-retired devices
};

}  // namespace tally::server
