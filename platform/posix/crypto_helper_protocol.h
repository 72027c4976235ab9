#pragma once
// What the agent asks tally-agent-helper and what it answers, as frames (helper_frame.h).
// Requests: {"public_key"}, {"create"}, {"sign", message}, {"send", options…, request…}.
// Answers: {"ok", …} or {"err", code, message}. Proxy credentials never travel here: only
// the path of their 0600 file, which the helper reads. The TLS session stays with the
// helper (a 0600 file in the state dir).

#include <string>

#include "agent/interfaces/http_transport.h"
#include "platform/posix/helper_frame.h"

namespace tally::platform {

struct HelperSend {
    agent::TransportOptions options;
    agent::HttpRequest request;
};

struct HelperSent {
    agent::TransportResult result;
    bool resumed = false;  //!< the TLS handshake resumed the stored session
};

Frame encode_send(const HelperSend& s);
Result<HelperSend> decode_send(const Frame& f);  //!< f without its "send" op field

Frame encode_sent(const HelperSent& s);          //!< {"ok", …}
Result<HelperSent> decode_sent(const Frame& f);  //!< f without its "ok" field

Frame error_frame(const Error& e);  //!< {"err", code, message}
//! The error of an {"err", code, message} answer; a malformed answer is a bad_frame error.
Error frame_error(const Frame& f);

}  // namespace tally::platform
