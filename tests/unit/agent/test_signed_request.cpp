// The core's side of "send this signed request": the pairing body's public key filled in,
// the Tally-Signature added over the exact body bytes, malformed requests refused, and
// KeySigningSender (the in-process SignedSender) making the key only when pairing asks.

#include <catch2/catch.hpp>

#include "agent/sign/key_signing_sender.h"
#include "agent/sign/sign_request.h"
#include "pairing/crypto.h"
#include "pairing/messages.h"

#include "fake_key_store.h"

using namespace tally::agent;
using namespace tally::agent::test;
namespace pairing = tally::pairing;

namespace {

class LastRequest : public HttpTransport {
  public:
    void configure(const TransportOptions&) override {}
    TransportResult send(const HttpRequest& request) override {
        last = request;
        ++sent;
        TransportResult r;
        r.response.status = 200;
        return r;
    }
    HttpRequest last;
    int sent = 0;
};

std::string header(const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name)
            return v;
    return {};
}

SignedRequest pair_request() {
    pairing::PairRequest p;
    p.code = "TLY-7Q2M-K9ZD-4XHB-R3NN";
    p.time = 1'800'000'000;
    p.nonce = "AAECAwQFBgcICQoLDA0ODw";
    p.device.hostname = R"(has "public_key":"" inside)";
    p.device.os = "linux";
    p.device.os_version = "Debian GNU/Linux 12 (bookworm)";
    p.device.agent_version = "0.1.0";
    p.device.device_type = "business";
    p.device.role = "workstation";
    p.device.fingerprint = std::string(64, 'a');
    SignedRequest s;
    s.kind = SignedKind::pair;
    s.request.url = "https://s/v1/pair";
    s.request.body = pairing::encode_pair_request(p);
    s.request.headers = {{"Content-Type", "application/json"}};
    return s;
}

}  // namespace

TEST_CASE("sign_request: the pairing key filled in, the exact body signed", "[sign]") {
    MemoryKeyStore keys;
    REQUIRE(keys.create().ok());
    const auto pub = pairing::base64url_encode(*keys.public_key());
    auto http = sign_request(pair_request(), pub,
                             [&](std::span<const std::uint8_t> m) { return keys.sign(m); });
    REQUIRE(http.ok());
    auto decoded = pairing::decode_pair_request(http->body);
    INFO(http->body);
    REQUIRE(decoded.ok());
    CHECK(decoded->public_key == pub);
    CHECK(decoded->device.hostname == R"(has "public_key":"" inside)");  // escaped: untouched
    auto sig = pairing::base64url_decode(header(*http, pairing::kHeaderSignature));
    REQUIRE(sig);
    CHECK(pairing::verify_signature(*keys.public_key(), pairing::as_bytes(http->body), *sig));
}

TEST_CASE("sign_request: malformed requests are refused before signing", "[sign]") {
    const auto never = [](std::span<const std::uint8_t>) -> tally::Result<pairing::Bytes> {
        FAIL("signed a malformed request");
        return tally::make_error("x", "x");
    };
    SignedRequest no_slot;
    no_slot.kind = SignedKind::pair;
    no_slot.request.body = R"({"code":"C","public_key":"BJ"})";
    CHECK(sign_request(no_slot, "K", never).error().code == "bad_request");
    SignedRequest pre = pair_request();
    pre.request.headers.emplace_back("TALLY-SIGNATURE", "x");
    CHECK(sign_request(pre, "K", never).error().code == "bad_request");
    SignedRequest upload;
    upload.request.body = "gz";
    auto failing = [](std::span<const std::uint8_t>) -> tally::Result<pairing::Bytes> {
        return tally::make_error("io", "key file unreadable");
    };
    auto r = sign_request(upload, "K", failing);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "key");
    CHECK(r.error().message.find("upload") != std::string::npos);
}

TEST_CASE("KeySigningSender: pairing makes the key when asked; uploads sign with it", "[sign]") {
    MemoryKeyStore keys;
    LastRequest transport;
    KeySigningSender sender(keys, transport);
    SignedRequest upload;
    upload.request.body = "batch";
    auto none = sender.send(upload);
    REQUIRE_FALSE(none.ok());  // no key: nothing sent
    CHECK(none.error().code == "key");
    CHECK(transport.sent == 0);

    auto pair = pair_request();
    pair.new_key = true;
    auto paired = sender.send(pair);
    REQUIRE(paired.ok());
    CHECK(paired->key_created);
    CHECK(keys.created == 1);
    CHECK(pairing::decode_pair_request(transport.last.body)->public_key == paired->public_key);

    auto up = sender.send(upload);
    REQUIRE(up.ok());
    CHECK_FALSE(up->key_created);
    CHECK(keys.created == 1);
    CHECK(up->public_key == paired->public_key);
    auto sig = pairing::base64url_decode(header(transport.last, pairing::kHeaderSignature));
    REQUIRE(sig);
    CHECK(pairing::verify_signature(*keys.public_key(), pairing::as_bytes("batch"), *sig));
}
