// The fast heartbeat/batch decoders against the strict reference decoders: whatever the fast
// path accepts, the reference accepts with the same value; the canonical forms take the fast
// path; and thousands of mutated documents never make the two disagree.

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "pairing/batch.h"
#include "pairing/heartbeat.h"
#include "pairing/wire_fast.h"

namespace p = tally::pairing;
namespace d = tally::pairing::detail;

namespace {

p::Heartbeat sample_heartbeat() {
    p::Heartbeat hb;
    hb.seq = 42;
    hb.start = 1795774800;
    hb.end = 1795775100;
    hb.boot_id = "5b1e7c1e-2c1f-4d57-9a55-0c8f3f3f8a11";
    hb.uptime_s = 86400;
    hb.device_active_minutes = 4;
    hb.users = {{"EXAMPLE\\bob", false, "rdp", 2}, {"alice", true, "x11", 5}};
    hb.prev = std::string(64, 'a');
    return hb;
}

std::string sample_batch() {
    p::Batch b;
    b.device_id = "dev-1";
    b.sent_at = 1795775104;
    b.heartbeats = {p::encode_heartbeat(sample_heartbeat()), "{\"x\":1}"};
    b.gaps = {{3, 5, "spool_full"}};
    return p::encode_batch(b);
}

bool same(const p::Batch& a, const p::Batch& b) {
    return a.device_id == b.device_id && a.sent_at == b.sent_at && a.heartbeats == b.heartbeats &&
           a.gaps == b.gaps;
}

// The fast decoder never accepts what the reference rejects, nor decodes differently.
void check_heartbeat(const std::string& text) {
    INFO(text);
    const auto fast = d::decode_heartbeat_fast(text);
    const auto ref = d::decode_heartbeat_reference(text);
    if (fast) {
        REQUIRE(ref);
        REQUIRE(*fast == *ref);
    }
    const auto pub = p::decode_heartbeat(text);
    REQUIRE(bool(pub) == bool(ref));
    if (!ref)
        REQUIRE(pub.error().message == ref.error().message);
}

void check_batch(const std::string& text) {
    INFO(text);
    const auto fast = d::decode_batch_fast(text);
    const auto ref = d::decode_batch_reference(text);
    if (fast) {
        REQUIRE(ref);
        REQUIRE(same(*fast, *ref));
    }
    const auto pub = p::decode_batch(text);
    REQUIRE(bool(pub) == bool(ref));
    if (!ref)
        REQUIRE(pub.error().message == ref.error().message);
}

std::vector<std::string> mutations(const std::string& base, std::uint32_t seed, int count) {
    static const std::vector<std::string> tokens = {"\"",
                                                    "\\",
                                                    ",",
                                                    ":",
                                                    "{",
                                                    "}",
                                                    "[",
                                                    "]",
                                                    " ",
                                                    "\n",
                                                    "-",
                                                    "0",
                                                    "1",
                                                    ".5",
                                                    "e3",
                                                    "00",
                                                    "\\u0041",
                                                    "\\ud83d\\ude00",
                                                    "\xc3\xa9",
                                                    "\xff",
                                                    "\x01",
                                                    "true",
                                                    "false",
                                                    "null",
                                                    "\"seq\":1,",
                                                    "\"users\":[],",
                                                    "\"kind\":\"tty\",",
                                                    "18446744073709551616",
                                                    "\xef\xbb\xbf"};
    std::mt19937 rng(seed);
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
        std::string s = base;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            const std::size_t at = rng() % s.size();
            switch (rng() % 3) {
                case 0:
                    s.erase(at, 1 + rng() % 4);
                    break;
                case 1:
                    s.insert(at, tokens[rng() % tokens.size()]);
                    break;
                default:
                    s.replace(at, 1, tokens[rng() % tokens.size()]);
                    break;
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

TEST_CASE("wire fast path: canonical heartbeats and batches take it, with the same value") {
    const std::string hb = p::encode_heartbeat(sample_heartbeat());
    REQUIRE(d::decode_heartbeat_fast(hb));
    check_heartbeat(hb);
    const std::string batch = sample_batch();
    REQUIRE(d::decode_batch_fast(batch));
    check_batch(batch);
    // Whitespace and another key order are still fast and equal.
    const std::string spaced =
        "{ \"gaps\" : [ ] ,\n\"heartbeats\":[\"a\\\"b\\\\c\\/\\n\"], \"sent_at\":"
        "\"2026-11-27T10:05:04+01:00\",\"device_id\":\"d\"\t}";
    REQUIRE(d::decode_batch_fast(spaced));
    check_batch(spaced);
}

TEST_CASE("wire fast path: hand-picked edge cases agree with the reference") {
    const std::string hb = p::encode_heartbeat(sample_heartbeat());
    const std::vector<std::string> cases = {
        "",
        "{}",
        "[]",
        "\xef\xbb\xbf" + hb,
        hb + " ",
        hb + "x",
        " " + hb,
        "{\"seq\":42,\"seq\":42" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":-0" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":42.0" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":4.2e1" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":042" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":0" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":9223372036854775808" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":18446744073709551616" + hb.substr(hb.find(",\"start\"")),
        "{\"se\\u0071\":42" + hb.substr(hb.find(",\"start\"")),
        "{\"seq\":\"42\"" + hb.substr(hb.find(",\"start\"")),
        "{\"extra\":1," + hb.substr(1),
    };
    for (const auto& c : cases)
        check_heartbeat(c);
    const std::string b = sample_batch();
    const std::vector<std::string> batches = {
        "{\"device_id\":\"d\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[],\"gaps\":[],"
        "\"gaps\":[]}",
        "{\"device_id\":\"\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[],\"gaps\":[]}",
        "{\"device_id\":\"d\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[1],\"gaps\":[]}",
        "{\"device_id\":\"d\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[],\"gaps\":"
        "[{\"from_seq\":5,\"to_seq\":3,\"reason\":\"x\"}]}",
        "{\"device_id\":\"d\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[],\"gaps\":"
        "[{\"from_seq\":1,\"to_seq\":3,\"reason\":\"x\",\"from_seq\":1}]}",
        "{\"device_id\":\"d\",\"sent_at\":\"yesterday\",\"heartbeats\":[],\"gaps\":[]}",
        "{\"device_id\":\"d\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[\"\\u00e9\"],"
        "\"gaps\":[]}",
        b + "\n",
    };
    for (const auto& c : batches)
        check_batch(c);
    // The size limit on one heartbeat's bytes.
    const std::string big(300001, 'x');
    check_batch("{\"device_id\":\"d\",\"sent_at\":\"2026-11-27T10:05:04Z\",\"heartbeats\":[\"" +
                big + "\"],\"gaps\":[]}");
}

TEST_CASE("wire fast path: mutated documents never make the decoders disagree") {
    for (const auto& m : mutations(p::encode_heartbeat(sample_heartbeat()), 7, 4000))
        check_heartbeat(m);
    for (const auto& m : mutations(sample_batch(), 11, 4000))
        check_batch(m);
}
