// Uploader on a real io_context, spool and ECDSA key, with a scripted transport standing in
// for the server: the request is signed over the exact gzip bytes, a 503 backs off and
// retries, a 200 acknowledges the spool, a 410 stops uploads.

#include <catch2/catch.hpp>
#include <deque>
#include <mutex>

#include "agent/spool/spool.h"
#include "agent/upload/uploader.h"
#include "pairing/batch.h"
#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "platform/posix/posix_file_system.h"
#include "temp_dir.h"

using namespace tally::agent;
namespace pairing = tally::pairing;

namespace {

class SoftwareKeyStore : public KeyStore {
  public:
    SoftwareKeyStore() : key_(pairing::SoftwareKey::generate().value()) {}
    bool has_key() const override { return true; }
    tally::Result<void> create() override { return {}; }
    tally::Result<pairing::Bytes> public_key() const override { return key_.public_key(); }
    tally::Result<pairing::Bytes> sign(std::span<const std::uint8_t> m) const override {
        return key_.sign(m);
    }
    tally::Result<void> destroy() override { return {}; }
    std::string describe() const override { return "memory"; }

  private:
    pairing::SoftwareKey key_;
};

class ScriptedTransport : public HttpTransport {
  public:
    void configure(const TransportOptions&) override {}
    TransportResult send(const HttpRequest& request) override {
        std::lock_guard lock(mutex_);
        requests.push_back(request);
        if (answers.empty()) {
            TransportResult none;
            none.error = TransportError::connect;
            none.message = "no scripted answer left";
            return none;
        }
        TransportResult r = answers.front();
        answers.pop_front();
        return r;
    }
    std::deque<TransportResult> answers;
    std::vector<HttpRequest> requests;
    std::mutex mutex_;
};

TransportResult answer(int status, std::string body) {
    TransportResult r;
    r.response.status = status;
    r.response.body = std::move(body);
    return r;
}

std::string header(const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name)
            return v;
    }
    return {};
}

}  // namespace

TEST_CASE("uploader: retry after 503, then acknowledge; 410 stops", "[upload]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto spool = spool::Spool::open(files, dir.path()).value();
    std::string prev = pairing::kGenesisPrev;
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
        pairing::Heartbeat hb;
        hb.seq = seq;
        hb.start = 1'800'000'000 + static_cast<std::int64_t>(seq) * 300;
        hb.end = hb.start + 300;
        hb.boot_id = "b";
        hb.device_active_minutes = 5;
        hb.prev = prev;
        auto bytes = pairing::encode_heartbeat(hb);
        prev = pairing::chain_hash(bytes);
        REQUIRE(spool->append_heartbeat(seq, bytes).ok());
    }

    SoftwareKeyStore keys;
    ScriptedTransport transport;
    transport.answers.push_back(answer(503, pairing::encode_error({"internal", "down"})));
    transport.answers.push_back(answer(200, pairing::encode_ack({3, 1'800'000'100, 3, 0})));

    asio::io_context io;
    std::vector<UploadVerdict> seen;
    UploaderOptions o;
    o.device_id = "dev_test";
    o.server_url = "https://tally.example/";
    o.batch_max = 10;
    o.upload_interval = std::chrono::seconds(1);
    o.wall_now = [] { return std::int64_t{1'800'000'000}; };
    o.random01 = [] { return 0.0; };  // backoff 0 ms, interval 0.9 s
    Uploader up(io, *spool, keys, transport, o, [&](const UploadOutcome& u) {
        seen.push_back(u.verdict);
        if (u.verdict == UploadVerdict::acked)
            io.stop();
    });
    up.start();
    io.run_for(std::chrono::seconds(10));

    REQUIRE(seen == std::vector<UploadVerdict>{UploadVerdict::retry, UploadVerdict::acked});
    CHECK(spool->acked_through() == 3);
    CHECK(spool->queued() == 0);
    CHECK(up.last_upload_at() == 1'800'000'000);
    CHECK(up.clock_offset_s() == 100);
    CHECK(up.consecutive_failures() == 0);

    REQUIRE(transport.requests.size() == 2);
    const HttpRequest& req = transport.requests[1];
    CHECK(req.url == "https://tally.example/v1/heartbeats");
    CHECK(header(req, "Tally-Device") == "dev_test");
    CHECK(header(req, "Content-Encoding") == "gzip");
    auto sig = pairing::base64url_decode(header(req, "Tally-Signature"));
    REQUIRE(sig);
    CHECK(pairing::verify_signature(*keys.public_key(), pairing::as_bytes(req.body), *sig));
    auto json = pairing::gzip_decompress(req.body, 1 << 20);
    REQUIRE(json.ok());
    auto batch = pairing::decode_batch(*json);
    REQUIRE(batch.ok());
    CHECK(batch->device_id == "dev_test");
    CHECK(batch->heartbeats.size() == 3);

    up.stop();
    // A revoked device stops uploading.
    std::uint64_t seq = spool->next_seq();
    pairing::Heartbeat hb;
    hb.seq = seq;
    hb.start = 1'800'010'000;
    hb.end = hb.start + 300;
    hb.boot_id = "b";
    hb.prev = spool->last_chain_hash();
    REQUIRE(spool->append_heartbeat(seq, pairing::encode_heartbeat(hb)).ok());
    transport.answers.push_back(answer(410, pairing::encode_error({"device_revoked", "gone"})));
    seen.clear();
    io.restart();
    Uploader up2(io, *spool, keys, transport, o,
                 [&](const UploadOutcome& u) { seen.push_back(u.verdict); });
    up2.start();
    io.run_for(std::chrono::seconds(4));
    CHECK(seen == std::vector<UploadVerdict>{UploadVerdict::revoked});
    CHECK(transport.requests.size() == 3);
    CHECK(spool->queued() == 1);  // nothing acknowledged is lost, nothing unacknowledged deleted
}

namespace {

void append_heartbeat(spool::Spool& spool) {
    const std::uint64_t seq = spool.next_seq();
    pairing::Heartbeat hb;
    hb.seq = seq;
    hb.start = 1'800'000'000 + static_cast<std::int64_t>(seq) * 300;
    hb.end = hb.start + 300;
    hb.boot_id = "b";
    hb.prev = spool.last_chain_hash();
    REQUIRE(spool.append_heartbeat(seq, pairing::encode_heartbeat(hb)).ok());
}

}  // namespace

TEST_CASE("uploader: the first upload comes right after start, then one an interval", "[upload]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto spool = spool::Spool::open(files, dir.path()).value();
    SoftwareKeyStore keys;
    ScriptedTransport transport;
    for (std::uint64_t acked = 1; acked <= 3; ++acked)
        transport.answers.push_back(answer(200, pairing::encode_ack({acked, 1'800'000'000, 1, 0})));
    asio::io_context io;
    UploaderOptions o;
    o.device_id = "dev_test";
    o.server_url = "https://tally.example/";
    o.batch_max = 10;
    o.upload_interval = std::chrono::seconds(3600);  // the default: never within this test
    o.wall_now = [] { return std::int64_t{1'800'000'000}; };
    o.random01 = [] { return 0.5; };
    Uploader up(io, *spool, keys, transport, o, [](const UploadOutcome&) {});
    up.start();  // an empty spool: nothing to send yet
    io.run_for(std::chrono::milliseconds(200));
    CHECK(transport.requests.empty());
    append_heartbeat(*spool);  // the first heartbeat after start (or pairing) goes at once
    up.on_heartbeat_appended();
    io.run_for(std::chrono::seconds(2));
    CHECK(transport.requests.size() == 1);
    CHECK(spool->acked_through() == 1);
    append_heartbeat(*spool);  // later ones wait for the interval (or batch_max)
    up.on_heartbeat_appended();
    io.run_for(std::chrono::milliseconds(500));
    CHECK(transport.requests.size() == 1);
    up.stop();

    // A restart with heartbeats waiting uploads them at once.
    io.restart();
    Uploader again(io, *spool, keys, transport, o, [](const UploadOutcome&) {});
    again.start();
    io.run_for(std::chrono::seconds(2));
    CHECK(transport.requests.size() == 2);
    CHECK(spool->acked_through() == 2);
    again.stop();
}
