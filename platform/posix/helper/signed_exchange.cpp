// The helper's signed exchange (see signed_exchange.h).

#include "platform/posix/helper/signed_exchange.h"

#include <string>
#include <utility>

#include "agent/sign/sign_request.h"
#include "pairing/bytes.h"
#include "platform/posix/crypto_helper_protocol.h"
#include "platform/posix/helper/curl_transport.h"
#include "platform/posix/helper/proxy_credentials.h"

namespace tally::platform {
namespace {

//! The key that signs, made first for a pairing that asks for a new one.
Result<pairing::SoftwareKey> signing_key(const agent::SignedRequest& request, FileKeyStore& keys,
                                         bool& created) {
    created = false;
    if (request.new_key) {
        if (request.kind != agent::SignedKind::pair)
            return make_error("bad_request", "only pairing may make a new device key");
        if (auto r = keys.create(); !r)
            return make_error("key", "cannot create the device key: " + r.error().message);
        created = true;
    }
    auto key = keys.load();
    if (!key)
        return make_error("key", key.error().message);
    return key;
}

}  // namespace

Frame signed_exchange(const Frame& request, FileKeyStore& keys,
                      const std::filesystem::path& state_dir) {
    auto send = decode_send(request);
    if (!send)
        return error_frame(send.error());
    HelperSent sent;
    auto key = signing_key(send->request, keys, sent.result.key_created);
    if (!key)
        return error_frame(key.error());
    sent.result.public_key = pairing::base64url_encode(key->public_key());
    auto http = agent::sign_request(
        send->request, sent.result.public_key,
        [&key](std::span<const std::uint8_t> m) -> Result<pairing::Bytes> { return key->sign(m); });
    if (!http)
        return error_frame(http.error());
    std::string credentials;
    if (!send->options.proxy_credentials_file.empty()) {
        auto c = read_proxy_credentials(send->options.proxy_credentials_file);
        if (!c)
            return error_frame(c.error());
        credentials = std::move(*c);
    }
    CurlTransport transport(state_dir / "tls-session", std::move(credentials));
    transport.configure(send->options);
    sent.result.transport = transport.send(*http);
    sent.resumed = transport.resumed();
    return encode_sent(sent);
}

}  // namespace tally::platform
