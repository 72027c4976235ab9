#pragma once
// What the agent asks tally-agent-helper and what it answers, as frames (helper_frame.h).
// Requests: {"exchange", kind, new_key, options…, unsigned request…} — "send this signed
// request" (pair, upload, retire), one per helper run — and, for standalone mode's bundle
// only, {"public_key"}, {"create"}, {"sign", message}.
// Answers: {"ok", …} or {"err", code, message}. Proxy credentials never travel here: only
// the path of their 0600 file, which the helper reads. The TLS session stays with the
// helper (a 0600 file in the state dir).

#include <string>

#include "agent/interfaces/signed_sender.h"
#include "platform/posix/helper_frame.h"

namespace tally::platform {

struct HelperSend {
    agent::TransportOptions options;
    agent::SignedRequest request;  //!< unsigned: the helper signs
};

struct HelperSent {
    agent::SignedResult result;
    bool resumed = false;  //!< the TLS handshake resumed the stored session
};

Frame encode_send(const HelperSend& s);          //!< {"exchange", …}
Result<HelperSend> decode_send(const Frame& f);  //!< f without its "exchange" op field

Frame encode_sent(const HelperSent& s);          //!< {"ok", …}
Result<HelperSent> decode_sent(const Frame& f);  //!< f without its "ok" field

Frame error_frame(const Error& e);  //!< {"err", code, message}
//! The error of an {"err", code, message} answer; a malformed answer is a bad_frame error.
Error frame_error(const Frame& f);

}  // namespace tally::platform
