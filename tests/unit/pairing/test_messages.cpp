// Pair, ack, retire and error bodies.

#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/messages.h"

using namespace tally::pairing;

namespace {
PairRequest sample_pair() {
    PairRequest r;
    r.code = "TLY-7Q2M-K9ZD-4XHB-R3NN";
    r.public_key = base64url_encode(SoftwareKey::generate()->public_key());
    r.device = {"pc-17",
                "linux",
                "Debian 12",
                "0.1.0",
                "business",
                "workstation",
                hex_encode(sha256("fp"))};
    r.time = 1795773600;
    r.nonce = base64url_encode(random_bytes(16));
    return r;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

template <class F>
void rejected(F decode, const std::string& json, const std::string& names) {
    const auto r = decode(json);
    INFO(json);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    REQUIRE(r.error().message.find(names) != std::string::npos);
}
}  // namespace

TEST_CASE("pair request: round trip, wire times are RFC 3339") {
    const PairRequest r = sample_pair();
    const std::string json = encode_pair_request(r);
    REQUIRE(json.find(R"("time":"2026-11-27T10:00:00Z")") != std::string::npos);
    REQUIRE(json.rfind(R"({"code":"TLY-7Q2M-K9ZD-4XHB-R3NN","public_key":")", 0) == 0);
    const auto back = decode_pair_request(json);
    REQUIRE(back.ok());
    REQUIRE(back->code == r.code);
    REQUIRE(back->public_key == r.public_key);
    REQUIRE(back->time == r.time);
    REQUIRE(back->nonce == r.nonce);
    REQUIRE(back->device.hostname == "pc-17");
    REQUIRE(back->device.os_version == "Debian 12");
    REQUIRE(back->device.fingerprint == r.device.fingerprint);
    REQUIRE(back->device.role == "workstation");
}

TEST_CASE("pair request: strict validation") {
    const std::string json = encode_pair_request(sample_pair());
    rejected(decode_pair_request, replace(json, "\"nonce\"", "\"extra\":0,\"nonce\""),
             "pair.extra: unknown");
    rejected(decode_pair_request, replace(json, "\"os\":\"linux\"", "\"os\":\"linux\",\"x\":1"),
             "pair.device.x: unknown");
    rejected(decode_pair_request, replace(json, "business", "corporate"),
             "pair.device.device_type");
    rejected(decode_pair_request, replace(json, "workstation", "laptop"), "pair.device.role");
    rejected(decode_pair_request, replace(json, "2026-11-27T10:00:00Z", "1795773600"), "pair.time");
    rejected(decode_pair_request, replace(json, "\"public_key\":\"B", "\"public_key\":\""),
             "pair.public_key");
    rejected(decode_pair_request, replace(json, "\"nonce\":\"", "\"nonce\":\"AAAA"), "pair.nonce");
    rejected(decode_pair_request, replace(json, "\"hostname\":\"pc-17\",", ""),
             "pair.device.hostname: missing");
    rejected(decode_pair_request, replace(json, "\"fingerprint\":\"", "\"fingerprint\":\"X"),
             "pair.device.fingerprint");
}

TEST_CASE("pair response: round trip; unknown fields ignored") {
    PairResponse r;
    r.device_id = "dev_9";
    r.tenant = "acme";
    r.server_time = 1795773601;
    r.policy = {10, 60, 120, 30};
    r.acked_through = 41;
    const std::string json = encode_pair_response(r);
    REQUIRE(json ==
            R"({"device_id":"dev_9","tenant":"acme","server_time":"2026-11-27T10:00:01Z",)"
            R"("policy":{"sample_interval_s":10,"heartbeat_interval_s":60,"upload_interval_s":120,)"
            R"("idle_threshold_s":30},"acked_through":41})");
    auto back = decode_pair_response(replace(json, "\"tenant\"", "\"future\":[1],\"tenant\""));
    REQUIRE(back.ok());
    REQUIRE(back->device_id == "dev_9");
    REQUIRE(back->server_time == r.server_time);
    REQUIRE(back->policy.upload_interval_s == 120);
    REQUIRE(back->policy.idle_threshold_s == 30);
    REQUIRE(back->acked_through == 41);
    rejected(decode_pair_response,
             replace(json, "\"sample_interval_s\":10", "\"sample_interval_s\":0"),
             "policy.sample_interval_s");
    rejected(decode_pair_response, replace(json, ",\"acked_through\":41", ""), "acked_through");
}

TEST_CASE("ack: round trip") {
    const HeartbeatAck a{13, 1795774504, 2, 1};
    const std::string json = encode_ack(a);
    REQUIRE(
        json ==
        R"({"acked_through":13,"server_time":"2026-11-27T10:15:04Z","accepted":2,"duplicates":1})");
    const auto back = decode_ack(json);
    REQUIRE(back.ok());
    REQUIRE(back->acked_through == 13);
    REQUIRE(back->server_time == 1795774504);
    REQUIRE(back->accepted == 2);
    REQUIRE(back->duplicates == 1);
    rejected(decode_ack, replace(json, "13", "-13"), "ack.acked_through");
}

TEST_CASE("retire: round trip and strictness") {
    const RetireRequest r{"dev_9", 1795773600, "uninstall"};
    const std::string json = encode_retire_request(r);
    REQUIRE(json == R"({"device_id":"dev_9","time":"2026-11-27T10:00:00Z","reason":"uninstall"})");
    const auto back = decode_retire_request(json);
    REQUIRE(back.ok());
    REQUIRE(back->device_id == "dev_9");
    REQUIRE(back->time == r.time);
    REQUIRE(back->reason == "uninstall");
    rejected(decode_retire_request, replace(json, "}", ",\"x\":true}"), "retire.x: unknown");
    rejected(decode_retire_request, replace(json, "\"reason\":\"uninstall\"", "\"reason\":\"\""),
             "retire.reason");
}

TEST_CASE("error body: encode, tolerant decode") {
    const std::string json = encode_error({"bad_signature", "signature does not verify"});
    REQUIRE(json == R"({"error":"bad_signature","message":"signature does not verify"})");
    const auto e = decode_error(json);
    REQUIRE(e.has_value());
    REQUIRE(e->error == "bad_signature");
    REQUIRE(e->message == "signature does not verify");
    REQUIRE(decode_error(R"({"error":"internal"})")->message.empty());
    REQUIRE_FALSE(decode_error("<html>502 Bad Gateway</html>").has_value());
    REQUIRE_FALSE(decode_error("").has_value());
    REQUIRE_FALSE(decode_error(R"({"error":5})").has_value());
    REQUIRE_FALSE(decode_error(R"(["error"])").has_value());
}
