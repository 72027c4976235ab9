#pragma once
// Request and response bodies other than batches (PROTOCOL.md §2, §4, §5, §6).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::pairing {

//! HTTP header names.
inline constexpr const char* kHeaderDevice = "Tally-Device";
inline constexpr const char* kHeaderSignature = "Tally-Signature";

struct DeviceFacts {
    std::string hostname;
    std::string os;  //!< e.g. "linux", "windows", "macos"
    std::string os_version;
    std::string agent_version;
    std::string device_type;  //!< business|personal
    std::string role;         //!< workstation|server|kiosk
    std::string fingerprint;  //!< hex SHA-256 of the machine fingerprint sources
};

struct PairRequest {
    std::string code;        //!< canonical pairing code
    std::string public_key;  //!< base64url of the 65-byte point
    DeviceFacts device;
    std::int64_t time = 0;  //!< agent clock, Unix seconds (replay window)
    std::string nonce;      //!< 16 random bytes, base64url
};

struct Policy {
    std::uint32_t sample_interval_s = 60;
    std::uint32_t heartbeat_interval_s = 300;
    std::uint32_t upload_interval_s = 900;
    std::uint32_t idle_threshold_s = 300;
};

struct PairResponse {
    std::string device_id;
    std::string tenant;
    std::int64_t server_time = 0;
    Policy policy;
    std::uint64_t acked_through = 0;  //!< highest seq the server already holds for this key
};

struct HeartbeatAck {
    std::uint64_t acked_through = 0;
    std::int64_t server_time = 0;
    std::uint32_t accepted = 0;
    std::uint32_t duplicates = 0;
    //! Heartbeats of this batch outside the time window: held by the server as evidence (not
    //! counted) and covered by acked_through. Written only when non-zero; absent reads as 0.
    std::uint32_t out_of_window = 0;
};

struct RetireRequest {
    std::string device_id;
    std::int64_t time = 0;
    std::string reason;  //!< "uninstall", ...
};

struct ErrorBody {
    std::string error;    //!< stable code, PROTOCOL.md §7
    std::string message;  //!< human sentence
};

std::string encode_pair_request(const PairRequest& r);
Result<PairRequest> decode_pair_request(std::string_view json);
std::string encode_pair_response(const PairResponse& r);
Result<PairResponse> decode_pair_response(std::string_view json);
std::string encode_ack(const HeartbeatAck& a);
Result<HeartbeatAck> decode_ack(std::string_view json);
std::string encode_retire_request(const RetireRequest& r);
Result<RetireRequest> decode_retire_request(std::string_view json);
std::string encode_error(const ErrorBody& e);
//! Tolerant: any body that is not an error object yields nullopt.
std::optional<ErrorBody> decode_error(std::string_view json);

}  // namespace tally::pairing
