#pragma once
// "Send this signed request": the one operation the core asks of the network (pairing,
// uploads, retire). The core hands over the unsigned request; the sender loads (or, for
// pairing, makes) the device key, signs the exact body bytes per pairing/PROTOCOL.md (the
// Tally-Signature header), sends it and returns the answer. Linux/macOS do all of it in one
// run of tally-agent-helper; elsewhere KeySigningSender composes a KeyStore and an
// HttpTransport in-process. send() blocks; the core calls it off the io_context thread.

#include "agent/interfaces/http_transport.h"
#include "pairing/result.h"

namespace tally::agent {

enum class SignedKind { pair, upload, retire };
const char* to_string(SignedKind k);

struct SignedRequest {
    SignedKind kind = SignedKind::upload;
    //! Unsigned: no Tally-Signature header. For `pair` the body's "public_key" is "" and the
    //! sender fills in the device key's (encode_pair_request with an empty key).
    HttpRequest request;
    //! `pair` only: make a new device key first, replacing any previous one.
    bool new_key = false;
};

struct SignedResult {
    TransportResult transport;
    std::string public_key;    //!< base64url of the 65-byte point of the key that signed
    bool key_created = false;  //!< this exchange made a new device key
};

class SignedSender {
  public:
    virtual ~SignedSender() = default;
    virtual void configure(const TransportOptions& options) = 0;
    //! An Error when the key could not be made, loaded or used, or the request is malformed
    //! (code "key" or "bad_request"); network and HTTP outcomes are in the transport result.
    virtual Result<SignedResult> send(const SignedRequest& request) = 0;
};

}  // namespace tally::agent
