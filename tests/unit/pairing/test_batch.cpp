// Batch bodies: encode/decode and structural validation.

#include <catch2/catch.hpp>

#include "pairing/batch.h"
#include "pairing/heartbeat.h"

using namespace tally::pairing;

namespace {
Batch sample() {
    Heartbeat hb;
    hb.seq = 8;
    hb.start = 1795773600;
    hb.end = 1795773900;
    hb.boot_id = "b";
    hb.prev = kGenesisPrev;
    Batch b;
    b.device_id = "dev_abc";
    b.sent_at = 1795774503;
    b.heartbeats = {encode_heartbeat(hb)};
    b.gaps = {{3, 7, "spool_full"}};
    return b;
}
}  // namespace

TEST_CASE("batch: encoding has the documented shape and round-trips") {
    const Batch b = sample();
    const std::string json = encode_batch(b);
    REQUIRE(
        json.rfind(
            R"({"device_id":"dev_abc","sent_at":"2026-11-27T10:15:03Z","heartbeats":["{\"seq\":8,)",
            0) == 0);
    REQUIRE(json.find(R"("gaps":[{"from_seq":3,"to_seq":7,"reason":"spool_full"}]})") !=
            std::string::npos);
    const auto back = decode_batch(json);
    REQUIRE(back.ok());
    REQUIRE(back->device_id == b.device_id);
    REQUIRE(back->sent_at == b.sent_at);
    REQUIRE(back->heartbeats == b.heartbeats);  // exact bytes survive the JSON string
    REQUIRE(back->gaps == b.gaps);
    REQUIRE(back->gaps[0].count() == 5);
}

TEST_CASE("batch: empty lists and a Python-style spaced body decode") {
    Batch b = sample();
    b.heartbeats.clear();
    b.gaps.clear();
    REQUIRE(encode_batch(b).find(R"("heartbeats":[],"gaps":[])") != std::string::npos);
    const auto spaced = decode_batch(
        R"({"device_id": "dev_1", "sent_at": "2026-11-27T10:15:03.250+01:00", "heartbeats": [], "gaps": []})");
    REQUIRE(spaced.ok());
    REQUIRE(spaced->sent_at == 1795774503 - 3600);
}

TEST_CASE("batch: decoder rejections name the field") {
    const auto rejected = [](const std::string& json, const std::string& names) {
        const auto r = decode_batch(json);
        INFO(json);
        REQUIRE_FALSE(r.ok());
        INFO(r.error().message);
        REQUIRE(r.error().code == "bad_request");
        REQUIRE(r.error().message.find(names) != std::string::npos);
    };
    const std::string head = R"({"device_id":"d","sent_at":"2026-11-27T10:15:03Z",)";
    rejected(head + R"("heartbeats":[],"gaps":[],"x":1})", "batch.x: unknown");
    rejected(head + R"("gaps":[]})", "batch.heartbeats: missing");
    rejected(head + R"("heartbeats":[{}],"gaps":[]})", "batch.heartbeats[0]");
    rejected(head + R"("heartbeats":"x","gaps":[]})", "batch.heartbeats: expected an array");
    rejected(head + R"("heartbeats":[],"gaps":[{"from_seq":5,"to_seq":4,"reason":"r"}]})",
             "batch.gaps[0].to_seq");
    rejected(head + R"("heartbeats":[],"gaps":[{"from_seq":0,"to_seq":4,"reason":"r"}]})",
             "batch.gaps[0].from_seq");
    rejected(head + R"("heartbeats":[],"gaps":[{"from_seq":1,"to_seq":4}]})",
             "batch.gaps[0].reason: missing");
    rejected(R"({"device_id":"","sent_at":"2026-11-27T10:15:03Z","heartbeats":[],"gaps":[]})",
             "batch.device_id");
    rejected(R"({"device_id":"d","sent_at":"yesterday","heartbeats":[],"gaps":[]})",
             "batch.sent_at");
    rejected("{", "malformed");
}
