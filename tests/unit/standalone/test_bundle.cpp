// Bundle encoding and verification (pairing/bundle.h): a good bundle verifies; every kind of
// tampering (byte edits anywhere, a heartbeat removed, truncation, re-signing, reordering,
// an undeclared hole) is refused with the reason.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "pairing/bundle.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"

using namespace tally::pairing;

namespace {

constexpr std::int64_t kNov1 = 1793491200;  // 2026-11-01T00:00:00Z

std::vector<std::string> chain(std::uint64_t first, std::uint64_t n,
                               std::string prev = kGenesisPrev) {
    std::vector<std::string> out;
    for (std::uint64_t s = first; s < first + n; ++s) {
        Heartbeat hb;
        hb.seq = s;
        hb.start = kNov1 + static_cast<std::int64_t>(s) * 300;
        hb.end = hb.start + 300;
        hb.boot_id = "boot";
        hb.uptime_s = s * 300;
        hb.device_active_minutes = static_cast<std::uint32_t>(s % 6);
        if (s % 2)
            hb.users.push_back({"alice", true, "ssh", static_cast<std::uint32_t>(s % 6)});
        hb.prev = prev;
        out.push_back(encode_heartbeat(hb));
        prev = chain_hash(out.back());
    }
    return out;
}

DeviceFacts facts() {
    return {"pc-17",    "linux",       "Debian 12",         "0.1.0",
            "business", "workstation", std::string(64, 'a')};
}

BundleContents contents(const SoftwareKey& key, std::vector<std::string> hbs) {
    BundleContents c;
    c.public_key = key.public_key();
    c.device = facts();
    c.created_at = kNov1 + 40 * 86400;
    c.from = kNov1;
    c.to = kNov1 + 30 * 86400;
    c.heartbeats = std::move(hbs);
    return c;
}

BundleSigner signer(const SoftwareKey& key) {
    return [&key](std::span<const std::uint8_t> m) -> tally::Result<Bytes> { return key.sign(m); };
}

std::string make(const SoftwareKey& key, std::vector<std::string> hbs, std::vector<Gap> gaps = {}) {
    auto c = contents(key, std::move(hbs));
    c.gaps = std::move(gaps);
    auto b = encode_bundle(c, signer(key));
    REQUIRE(b.ok());
    return *b;
}

}  // namespace

TEST_CASE("a bundle verifies and returns its heartbeats and facts", "[bundle]") {
    auto key = SoftwareKey::generate();
    REQUIRE(key.ok());
    auto hbs = chain(1, 20);
    std::string file = make(*key, hbs);
    CHECK(file.back() == '\n');
    auto v = verify_bundle(file);
    REQUIRE(v.ok());
    CHECK(v->heartbeat_bytes == hbs);
    CHECK(v->heartbeats.size() == 20);
    CHECK(v->manifest.public_key == key->public_key());
    CHECK(v->manifest.device.hostname == "pc-17");
    CHECK(v->manifest.first_seq == 1);
    CHECK(v->manifest.last_seq == 20);
    CHECK(v->manifest.head == chain_hash(hbs.back()));
    CHECK(v->manifest.prev == kGenesisPrev);
}

TEST_CASE("a bundle can start mid-chain and carry declared gaps", "[bundle]") {
    auto key = SoftwareKey::generate();
    REQUIRE(key.ok());
    auto hbs = chain(100, 10, std::string(64, 'b'));
    // 103..105 lost (spool full): the chain link 106→105 cannot be checked, which is fine.
    hbs.erase(hbs.begin() + 3, hbs.begin() + 6);
    std::string file = make(*key, hbs, {{103, 105, "spool_full"}});
    auto v = verify_bundle(file);
    REQUIRE(v.ok());
    CHECK(v->manifest.first_seq == 100);
    CHECK(v->manifest.gaps.size() == 1);
    CHECK(v->manifest.prev == std::string(64, 'b'));
}

TEST_CASE("export refuses inconsistent contents", "[bundle]") {
    auto key = SoftwareKey::generate();
    REQUIRE(key.ok());
    auto empty = encode_bundle(contents(*key, {}), signer(*key));
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().message.find("no heartbeats") != std::string::npos);
    auto hbs = chain(1, 5);
    hbs.erase(hbs.begin() + 2);
    auto holed = encode_bundle(contents(*key, hbs), signer(*key));
    REQUIRE_FALSE(holed.ok());
    CHECK(holed.error().message.find("seq 3 missing") != std::string::npos);
}

TEST_CASE("every single-byte edit of a bundle is refused", "[bundle][tamper]") {
    auto key = SoftwareKey::generate();
    REQUIRE(key.ok());
    std::string file = make(*key, chain(1, 3), {});
    REQUIRE(verify_bundle(file).ok());
    // Every position, two different replacement bytes: nothing slips through.
    for (std::size_t i = 0; i + 1 < file.size(); ++i) {
        for (char delta : {1, 32}) {
            std::string edited = file;
            edited[i] = static_cast<char>(edited[i] ^ delta);
            INFO("byte " << i << " of " << file.size() << " xor " << int(delta));
            auto v = verify_bundle(edited);
            CHECK_FALSE(v.ok());
        }
    }
}

TEST_CASE("tampering is refused with a reason", "[bundle][tamper]") {
    auto key = SoftwareKey::generate();
    auto other = SoftwareKey::generate();
    REQUIRE(key.ok());
    REQUIRE(other.ok());
    auto hbs = chain(1, 10);
    std::string good = make(*key, hbs);

    SECTION("a heartbeat removed from the middle") {
        std::string serialized = nlohmann::json(hbs[4]).dump();
        auto at = good.find(serialized + ",");
        REQUIRE(at != std::string::npos);
        std::string cut = good;
        cut.erase(at, serialized.size() + 1);
        auto v = verify_bundle(cut);
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == "chain_broken");
        CHECK(v.error().message.find("seq 5 missing") != std::string::npos);
    }
    SECTION("the last heartbeat removed (truncated but still JSON)") {
        std::string serialized = nlohmann::json(hbs.back()).dump();
        auto at = good.find("," + serialized);
        REQUIRE(at != std::string::npos);
        std::string cut = good;
        cut.erase(at, serialized.size() + 1);
        auto v = verify_bundle(cut);
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == "chain_broken");
    }
    SECTION("a truncated file") {
        auto v = verify_bundle(good.substr(0, good.size() / 2));
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == "bad_bundle");
        CHECK(v.error().message.find("truncated") != std::string::npos);
    }
    SECTION("re-signed by another key") {
        auto doc = nlohmann::json::parse(good);
        doc["signature"] = base64url_encode(other->sign(doc["manifest"].get<std::string>()));
        auto resigned = nlohmann::ordered_json();
        resigned["manifest"] = doc["manifest"];
        resigned["heartbeats"] = doc["heartbeats"];
        resigned["signature"] = doc["signature"];
        auto v = verify_bundle(resigned.dump());
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == "bad_signature");
    }
    SECTION("a heartbeat replaced by a validly chained forgery") {
        // Re-chaining from seq 6 on keeps the links intact; the signed head catches it.
        auto forged = hbs;
        auto hb = decode_heartbeat(forged[5]);
        REQUIRE(hb.ok());
        hb->device_active_minutes = 5;
        forged[5] = encode_heartbeat(*hb);
        for (std::size_t i = 6; i < forged.size(); ++i) {
            auto next = decode_heartbeat(forged[i]);
            next->prev = chain_hash(forged[i - 1]);
            forged[i] = encode_heartbeat(*next);
        }
        auto doc = nlohmann::json::parse(good);
        auto edited = nlohmann::ordered_json();
        edited["manifest"] = doc["manifest"];
        edited["heartbeats"] = forged;
        edited["signature"] = doc["signature"];
        auto v = verify_bundle(edited.dump());
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == "chain_broken");
    }
    SECTION("an empty manifest") {
        auto v = verify_bundle("{\"manifest\":\"{}\",\"heartbeats\":[],\"signature\":\"x\"}");
        REQUIRE_FALSE(v.ok());
        CHECK(v.error().code == "bad_bundle");
    }
}
