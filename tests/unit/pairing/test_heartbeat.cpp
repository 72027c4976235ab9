// Canonical heartbeat encoding (byte-exact), strict decoding and the hash chain.

#include <catch2/catch.hpp>

#include "pairing/crypto.h"
#include "pairing/heartbeat.h"

using namespace tally::pairing;

namespace {

Heartbeat sample() {
    Heartbeat hb;
    hb.seq = 12;
    hb.start = 1795773600;  // 2026-11-27T10:00:00Z
    hb.end = 1795773900;    // 2026-11-27T10:05:00Z
    hb.boot_id = "3f0c2a9e5b7d4c1f8e6a0b2d4f6a8c0e";
    hb.uptime_s = 86400;
    hb.device_active_minutes = 4;
    hb.users = {{"bob@EXAMPLE.COM", false, "rdp", 2}, {"alice", true, "ssh", 4}};
    hb.prev = kGenesisPrev;
    return hb;
}

const std::string kGolden =
    R"({"seq":12,"start":"2026-11-27T10:00:00Z","end":"2026-11-27T10:05:00Z",)"
    R"("boot_id":"3f0c2a9e5b7d4c1f8e6a0b2d4f6a8c0e","uptime_s":86400,)"
    R"("device_active_minutes":4,"users":[{"principal":"alice","local":true,"kind":"ssh",)"
    R"("active_minutes":4},{"principal":"bob@EXAMPLE.COM","local":false,"kind":"rdp",)"
    R"("active_minutes":2}],"prev":"0000000000000000000000000000000000000000000000000000000000000000"})";

// Replaces the first occurrence of `from` in the golden bytes.
std::string golden_with(const std::string& from, const std::string& to) {
    std::string s = kGolden;
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
    return s;
}

void require_rejected(const std::string& bytes, const std::string& names) {
    const auto r = decode_heartbeat(bytes);
    INFO(bytes);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().code == "bad_request");
    INFO(r.error().message);
    REQUIRE(r.error().message.find(names) != std::string::npos);
}

}  // namespace

TEST_CASE("heartbeat: byte-exact canonical encoding, users sorted by principal") {
    REQUIRE(kGenesisPrev == std::string(64, '0'));
    REQUIRE(encode_heartbeat(sample()) == kGolden);
}

TEST_CASE("heartbeat: decode(encode(x)) == x and encode(decode(bytes)) == bytes") {
    const auto decoded = decode_heartbeat(kGolden);
    REQUIRE(decoded.ok());
    Heartbeat expected = sample();
    std::swap(expected.users[0], expected.users[1]);  // decoded order is the sorted order
    REQUIRE(*decoded == expected);
    REQUIRE(encode_heartbeat(*decoded) == kGolden);

    Heartbeat empty = sample();
    empty.users.clear();
    empty.device_active_minutes = 0;
    const std::string bytes = encode_heartbeat(empty);
    REQUIRE(bytes.find("\"users\":[]") != std::string::npos);
    REQUIRE(*decode_heartbeat(bytes) == empty);
}

TEST_CASE("heartbeat: strings escaped as nlohmann dump(), UTF-8 kept") {
    Heartbeat hb = sample();
    hb.users = {{"EXAMPLE\\j\xC3\xBCrgen \"j\"\x01", false, "console", 1}};
    const std::string bytes = encode_heartbeat(hb);
    REQUIRE(bytes.find(R"("principal":"EXAMPLE\\j)"
                       "\xC3\xBC"
                       R"(rgen \"j\"\u0001")") != std::string::npos);
    REQUIRE(decode_heartbeat(bytes)->users == hb.users);
}

TEST_CASE("heartbeat: decoder accepts insignificant whitespace but the hash is of the bytes") {
    const std::string spaced = golden_with(",\"uptime_s\"", ", \"uptime_s\"");
    REQUIRE(decode_heartbeat(spaced).ok());
    REQUIRE(chain_hash(spaced) != chain_hash(kGolden));
}

TEST_CASE("heartbeat: decoder rejections name the field") {
    require_rejected(golden_with("\"uptime_s\"", "\"extra\":1,\"uptime_s\""),
                     "heartbeat.extra: unknown");
    require_rejected(golden_with("\"boot_id\":\"3f0c2a9e5b7d4c1f8e6a0b2d4f6a8c0e\",", ""),
                     "heartbeat.boot_id: missing");
    require_rejected(golden_with("\"seq\":12", "\"seq\":\"12\""), "heartbeat.seq");
    require_rejected(golden_with("\"seq\":12", "\"seq\":12.0"), "heartbeat.seq");
    require_rejected(golden_with("\"seq\":12", "\"seq\":0"), "heartbeat.seq");
    require_rejected(golden_with("\"seq\":12", "\"seq\":-1"), "heartbeat.seq");
    require_rejected(golden_with("\"seq\":12", "\"seq\":99999999999999999999"), "heartbeat.seq");
    require_rejected(golden_with("\"uptime_s\":86400", "\"uptime_s\":null"), "heartbeat.uptime_s");
    require_rejected(golden_with("\"local\":true", "\"local\":1"), "heartbeat.users[0].local");
    require_rejected(golden_with("\"kind\":\"ssh\"", "\"kind\":\"telnet\""),
                     "heartbeat.users[0].kind");
    require_rejected(golden_with("\"kind\":\"ssh\",", ""), "heartbeat.users[0].kind: missing");
    require_rejected(golden_with("\"kind\":\"rdp\"", "\"kind\":\"rdp\",\"x\":1"),
                     "heartbeat.users[1].x: unknown");
    require_rejected(golden_with("\"principal\":\"alice\"", "\"principal\":\"\""),
                     "heartbeat.users[0].principal");
    require_rejected(golden_with("\"principal\":\"alice\"", "\"principal\":\"zed\""), "sorted");
    require_rejected(golden_with("\"prev\":\"0", "\"prev\":\"A"), "heartbeat.prev");
    require_rejected(golden_with("\"prev\":\"0", "\"prev\":\""), "heartbeat.prev");
    require_rejected(golden_with("\"users\":[", "\"users\":{\"a\":["), "malformed");
    require_rejected(golden_with("\"seq\":12", "\"seq\":12,\"seq\":13"), "duplicate field 'seq'");
    require_rejected("[]", "expected a JSON object");
    require_rejected("", "malformed");
    require_rejected(kGolden + "x", "malformed");
    require_rejected(golden_with("\"boot_id\":\"3f0c", "\"boot_id\":\"\xff"), "malformed");
}

TEST_CASE("heartbeat: time and minute ranges") {
    // 5-minute span: at most 5 minutes of activity.
    require_rejected(golden_with("\"device_active_minutes\":4", "\"device_active_minutes\":6"),
                     "heartbeat.device_active_minutes");
    require_rejected(golden_with("\"active_minutes\":4", "\"active_minutes\":6"),
                     "heartbeat.users[0].active_minutes");
    REQUIRE(
        decode_heartbeat(golden_with("\"device_active_minutes\":4", "\"device_active_minutes\":5"))
            .ok());
    // A 61-second span may hold 2 (partial) minutes: ceil(61 / 60).
    Heartbeat hb = sample();
    hb.end = hb.start + 61;
    hb.device_active_minutes = 2;
    hb.users = {{"alice", true, "tty", 2}};
    REQUIRE(decode_heartbeat(encode_heartbeat(hb)).ok());
    hb.device_active_minutes = 3;
    REQUIRE_FALSE(decode_heartbeat(encode_heartbeat(hb)).ok());

    require_rejected(
        golden_with("\"end\":\"2026-11-27T10:05:00Z\"", "\"end\":\"2026-11-27T10:00:00Z\""),
        "heartbeat.end: must be after start");
    require_rejected(golden_with("10:05:00Z", "10:05:00+00:00"), "heartbeat.end");
    require_rejected(golden_with("10:05:00Z", "10:05:00.5Z"), "heartbeat.end");
    require_rejected(golden_with("10:05:00Z", "10:05Z"), "heartbeat.end");
    require_rejected(golden_with("2026-11-27T10:00:00Z", "2026-11-31T10:00:00Z"),
                     "heartbeat.start");
}

TEST_CASE("heartbeat: hash chain") {
    REQUIRE(chain_hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    REQUIRE(chain_hash(kGolden) == hex_encode(sha256(kGolden)));

    std::vector<std::string> chain;
    std::string prev = kGenesisPrev;
    for (std::uint64_t seq = 1; seq <= 5; ++seq) {
        Heartbeat hb = sample();
        hb.seq = seq;
        hb.start += static_cast<std::int64_t>(seq) * 300;
        hb.end += static_cast<std::int64_t>(seq) * 300;
        hb.prev = prev;
        chain.push_back(encode_heartbeat(hb));
        prev = chain_hash(chain.back());
    }
    // A verifier walks the chain on the received bytes.
    std::string expect = kGenesisPrev;
    for (const std::string& bytes : chain) {
        const auto hb = decode_heartbeat(bytes);
        REQUIRE(hb.ok());
        REQUIRE(hb->prev == expect);
        expect = chain_hash(bytes);
    }
    // Changing one byte of an earlier heartbeat breaks the link to the next one.
    std::string forged = chain[1];
    forged[forged.find("\"uptime_s\":86400") + 11] = '9';
    REQUIRE(decode_heartbeat(forged).ok());
    REQUIRE(decode_heartbeat(chain[2])->prev != chain_hash(forged));
}
