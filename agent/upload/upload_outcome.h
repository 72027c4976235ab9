#pragma once
// What one upload attempt's answer means for the agent (PROTOCOL.md §7). The transport only
// reports; this decides: acknowledged, retry later, or a state change.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "agent/interfaces/http_transport.h"

namespace tally::agent {

enum class UploadVerdict {
    acked,            //!< 200 with a valid ack
    retry,            //!< transport error, 408, 429, 5xx, unreadable 200: back off
    too_large,        //!< 413: send fewer heartbeats per batch
    rejected,         //!< other 4xx: keep the data, record the error, retry at the cap
    unauthorized,     //!< 401 bad_signature / unknown_device: needs attention
    tenant_inactive,  //!< 403 tenant_inactive
    revoked,          //!< 410 device_retired / device_revoked
};
const char* to_string(UploadVerdict v);

struct UploadOutcome {
    UploadVerdict verdict = UploadVerdict::retry;
    int http_status = 0;
    std::uint64_t acked_through = 0;
    std::int64_t server_time = 0;
    //! Acked heartbeats the server held outside its time window (not counted): a clock problem.
    std::uint32_t out_of_window = 0;
    std::optional<std::chrono::seconds> retry_after;
    std::string error;  //!< for status/logs; empty when acked
};

UploadOutcome classify_upload(const TransportResult& result);
//! The verdict for an HTTP answer (classify_upload without the transport and the cleanup).
UploadOutcome classify_response(const HttpResponse& resp);

}  // namespace tally::agent
