// Device request authentication (see device_auth.h).

#include "server/ingest/device_auth.h"

#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "server/ingest/public_key_cache.h"

namespace tally::server {

bool signature_valid(std::string_view public_key, std::string_view signature_b64url,
                     std::string_view body) {
    const auto sig = pairing::base64url_decode(signature_b64url);
    if (!sig || sig->size() != pairing::kSignatureSize ||
        public_key.size() != pairing::kPublicKeySize) {
        return false;
    }
    const auto key = PublicKeyCache::shared().get(public_key);
    return key && key->verify(pairing::as_bytes(body), *sig);
}

Result<Device> authenticate_device(DeviceStore& store, std::string_view device_id,
                                   std::string_view signature_b64url, std::string_view body) {
    if (device_id.empty()) {
        return make_error("unknown_device", "the Tally-Device header is missing");
    }
    if (signature_b64url.empty()) {
        return make_error("bad_signature", "the Tally-Signature header is missing");
    }
    auto found = store.find_device(device_id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return make_error("unknown_device",
                          "device '" + std::string(device_id) + "' is not registered; pair again");
    }
    if (!signature_valid((*found)->public_key, signature_b64url, body)) {
        return make_error("bad_signature",
                          "Tally-Signature does not verify with the device's registered key");
    }
    return std::move(**found);
}

}  // namespace tally::server
