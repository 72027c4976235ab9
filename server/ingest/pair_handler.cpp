// POST /v1/pair (see pair_handler.h).

#include "server/ingest/pair_handler.h"

#include <cstdlib>
#include <string>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/pairing_code.h"
#include "server/domain/device_type.h"
#include "server/ingest/device_auth.h"
#include "server/ingest/device_id.h"

namespace tally::server {
namespace {

Result<void> check_facts(const pairing::DeviceFacts& f) {
    if (!domain::parse_device_type(f.device_type)) {
        return make_error("bad_request", "device.device_type must be business or personal");
    }
    if (!domain::parse_device_role(f.role)) {
        return make_error("bad_request", "device.role must be workstation, server or kiosk");
    }
    if (f.hostname.empty() || f.hostname.size() > 255) {
        return make_error("bad_request", "device.hostname must be 1-255 bytes");
    }
    return {};
}

}  // namespace

Result<pairing::PairResponse> handle_pair(PairingStore& store, std::string_view body,
                                          std::string_view signature_b64url, std::int64_t now,
                                          const IngestOptions& options) {
    if (signature_b64url.empty()) {
        return make_error("bad_signature", "the Tally-Signature header is missing");
    }
    auto req = pairing::decode_pair_request(body);
    if (!req) {
        return make_error("bad_request", "pair request: " + req.error().message);
    }
    const auto key = pairing::base64url_decode(req->public_key);
    if (!key || key->size() != pairing::kPublicKeySize) {
        return make_error("bad_request", "public_key must be a base64url 65-byte P-256 point");
    }
    // PROTOCOL.md §1: a point not on the curve is rejected as a bad value (400), before the
    // signature check could answer 401 for it.
    if (!pairing::PublicKey::parse(*key)) {
        return make_error("bad_request", "public_key is not a point on the P-256 curve");
    }
    const std::string raw_key(pairing::as_chars(*key));
    if (!signature_valid(raw_key, signature_b64url, body)) {
        return make_error("bad_signature",
                          "Tally-Signature does not verify with the public_key in the request");
    }
    if (std::llabs(req->time - now) > options.pair_clock_skew_s) {
        return make_error("bad_request", "request time is " + std::to_string(req->time - now) +
                                             " s from the server clock (limit " +
                                             std::to_string(options.pair_clock_skew_s) +
                                             " s); fix the device clock");
    }
    if (auto r = check_facts(req->device); !r) {
        return r.error();
    }
    auto canonical = pairing::normalize_pairing_code(req->code);
    if (!canonical) {
        return make_error("invalid_code", "pairing code: " + canonical.error().message);
    }
    PairAttempt attempt;
    attempt.code_hash = pairing::hex_encode(pairing::sha256(*canonical));
    attempt.public_key = raw_key;
    attempt.facts = req->device;
    attempt.new_device_id = new_device_id();
    attempt.now = now;
    auto device = store.pair_device(attempt);
    if (!device) {
        return device.error();
    }
    pairing::PairResponse resp;
    resp.device_id = device->id;
    resp.tenant = device->tenant;
    resp.server_time = now;
    resp.policy = options.policy;
    resp.acked_through = device->acked_through;
    return resp;
}

}  // namespace tally::server
