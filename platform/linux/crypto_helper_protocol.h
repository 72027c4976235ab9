#pragma once
// What the agent asks its crypto helper and what it answers, as frames (helper_frame.h).
// Requests: {"public_key"}, {"create"}, {"sign", message}, {"send", options…, session,
// request…}. Answers: {"ok", …} or {"err", code, message}. A "send" answer also carries the
// transport's TLS session (opaque bytes) so the next helper can resume it.

#include <string>

#include "agent/interfaces/http_transport.h"
#include "platform/linux/helper_frame.h"

namespace tally::platform {

struct HelperSend {
    agent::TransportOptions options;
    std::string session;  //!< TlsTransport::export_session() of the previous helper
    agent::HttpRequest request;
};

struct HelperSent {
    agent::TransportResult result;
    std::string session;
};

Frame encode_send(const HelperSend& s);
Result<HelperSend> decode_send(const Frame& f);  //!< f without its "send" op field

Frame encode_sent(const HelperSent& s);          //!< {"ok", …}
Result<HelperSent> decode_sent(const Frame& f);  //!< f without its "ok" field

Frame error_frame(const Error& e);  //!< {"err", code, message}
//! The error of an {"err", code, message} answer; a malformed answer is a bad_frame error.
Error frame_error(const Frame& f);

}  // namespace tally::platform
