// SignedSender over a KeyStore and an HttpTransport (see key_signing_sender.h).

#include "agent/sign/key_signing_sender.h"

#include "agent/sign/sign_request.h"

namespace tally::agent {

KeySigningSender::KeySigningSender(KeyStore& keys, HttpTransport& transport)
    : keys_(keys), transport_(transport) {}

void KeySigningSender::configure(const TransportOptions& options) {
    std::lock_guard lock(mutex_);
    transport_.configure(options);
}

Result<SignedResult> KeySigningSender::send(const SignedRequest& request) {
    std::lock_guard lock(mutex_);
    SignedResult out;
    if (request.new_key && request.kind == SignedKind::pair) {
        if (auto r = keys_.create(); !r)
            return make_error("key", "cannot create the device key: " + r.error().message);
        out.key_created = true;
    }
    auto key = keys_.public_key();
    if (!key)
        return make_error("key", "cannot read the device key: " + key.error().message);
    out.public_key = pairing::base64url_encode(*key);
    auto http = sign_request(request, out.public_key,
                             [this](std::span<const std::uint8_t> m) { return keys_.sign(m); });
    if (!http)
        return http.error();
    out.transport = transport_.send(*http);
    return out;
}

}  // namespace tally::agent
