// Test fixture for tally-server (see server_fixture.h).

#include "server_fixture.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <tuple>

#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "pairing/pairing_code.h"
#include "server/ingest/pair_handler.h"
#include "server/store/evidence_batch.h"
#include "server/store/evidence_pack_codec.h"

namespace tally::server::test {

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tally-server-test-XXXXXX");
    if (!::mkdtemp(tmpl.data())) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

namespace {
pairing::SoftwareKey new_key() {
    auto key = pairing::SoftwareKey::generate();
    if (!key) {
        throw std::runtime_error(key.error().message);
    }
    return std::move(*key);
}
}  // namespace

TestDevice::TestDevice() : key(new_key()) {}

std::string TestDevice::next_heartbeat(std::int64_t end, std::uint32_t device_minutes,
                                       std::vector<pairing::UserActivity> users) {
    pairing::Heartbeat hb;
    hb.seq = ++seq;
    hb.start = end - 300;
    hb.end = end;
    hb.boot_id = std::string(32, 'b');
    hb.uptime_s = 1000;
    hb.device_active_minutes = device_minutes;
    hb.users = std::move(users);
    hb.prev = prev;
    auto bytes = pairing::encode_heartbeat(hb);
    prev = pairing::chain_hash(bytes);
    return bytes;
}

SignedBody TestDevice::sign(std::string body) const {
    const auto sig = key.sign(body);
    return {std::move(body), pairing::base64url_encode(sig)};
}

SignedBody TestDevice::batch(const std::vector<std::string>& heartbeats,
                             const std::vector<pairing::Gap>& gaps) const {
    pairing::Batch b;
    b.device_id = device_id;
    b.sent_at = kNow;
    b.heartbeats = heartbeats;
    b.gaps = gaps;
    return sign(pairing::gzip_compress(pairing::encode_batch(b)));
}

SignedBody pair_body(const TestDevice& device, const std::string& code, std::int64_t time,
                     const std::string& role) {
    pairing::PairRequest r;
    r.code = code;
    r.public_key = pairing::base64url_encode(device.key.public_key());
    r.time = time;
    r.nonce = pairing::base64url_encode(pairing::random_bytes(16));
    r.device = {"pc-17", "linux", "Debian 12", "0.1.0", "business", role, std::string(64, 'a')};
    return device.sign(pairing::encode_pair_request(r));
}

pairing::UserActivity user(const std::string& principal, std::uint32_t minutes, bool local) {
    return {principal, local, "ssh", minutes};
}

ServerFixture::ServerFixture() {
    auto opened = SqliteStore::open((dir.path() / "tally.db").string());
    REQUIRE(opened.ok());
    store = std::move(*opened);
    REQUIRE(store->add_tenant("acme", kNow - 86400).ok());
    code = make_code();
}

std::string ServerFixture::make_code(const std::string& tenant, std::int64_t uses,
                                     std::int64_t expires_at) {
    const auto c = pairing::generate_pairing_code();
    const auto canonical = pairing::normalize_pairing_code(c);
    REQUIRE(canonical.ok());
    NewPairingCode rec{tenant, pairing::hex_encode(pairing::sha256(*canonical)), uses, expires_at};
    REQUIRE(store->add_pairing_code(rec, kNow - 60).ok());
    return c;
}

void ServerFixture::pair(TestDevice& device, const std::string& role) {
    const auto req = pair_body(device, code, kNow, role);
    auto resp = handle_pair(*store, req.body, req.signature, kNow, options);
    INFO((resp.ok() ? std::string() : resp.error().message));
    REQUIRE(resp.ok());
    device.device_id = resp->device_id;
}

Result<UploadOutcome> ServerFixture::upload(const TestDevice& device, const SignedBody& body,
                                            std::int64_t now) {
    UploadRequest req{device.device_id, body.signature, "gzip", body.body};
    return handle_upload(*store, req, now, options);
}

std::int64_t ServerFixture::count(const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((dir.path() / "tally.db").c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    const auto n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

namespace {

std::string column(sqlite3_stmt* stmt, int i) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
    return p == nullptr ? std::string()
                        : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
}

//! Every stored batch, packed ones (schema 12) unpacked: (device, first seq, kind, counted,
//! body), by device and first seq.
std::vector<std::tuple<std::string, std::int64_t, evidence::Kind, std::string, std::string>>
stored_batches(sqlite3* db) {
    std::vector<std::tuple<std::string, std::int64_t, evidence::Kind, std::string, std::string>>
        out;
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT device_id, first_seq, kind, counted, body FROM"
                               " evidence_batches",
                               -1, &stmt, nullptr) == SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        out.emplace_back(column(stmt, 0), sqlite3_column_int64(stmt, 1),
                         static_cast<evidence::Kind>(sqlite3_column_int64(stmt, 2)),
                         column(stmt, 3), column(stmt, 4));
    }
    sqlite3_finalize(stmt);
    REQUIRE(sqlite3_prepare_v2(db, "SELECT device_id, body, signatures FROM evidence_packs", -1,
                               &stmt, nullptr) == SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        auto batches = evidence::decode_pack(column(stmt, 1), column(stmt, 2));
        REQUIRE(batches.ok());
        for (auto& b : *batches) {
            out.emplace_back(column(stmt, 0), b.first_seq, b.kind, b.counted, b.body);
        }
    }
    sqlite3_finalize(stmt);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    return out;
}

}  // namespace

std::vector<std::string> ServerFixture::counted_bytes() {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((dir.path() / "tally.db").c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr) == SQLITE_OK);
    std::vector<std::string> out;
    for (const auto& [device, first, kind, counted, body] : stored_batches(db)) {
        const auto ranges = evidence::decode_ranges(counted);
        REQUIRE(ranges.ok());
        auto all = evidence::heartbeats_of(kind, body);
        REQUIRE(all.ok());
        for (auto& bytes : *all) {
            auto hb = pairing::decode_heartbeat(bytes);
            if (hb && evidence::in_ranges(*ranges, hb->seq)) {
                out.push_back(std::move(bytes));
            }
        }
    }
    sqlite3_close(db);
    return out;
}

}  // namespace tally::server::test
