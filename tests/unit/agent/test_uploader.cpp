// Uploader on a real io_context, spool and ECDSA key, with a scripted transport standing in
// for the server: the request is signed over the exact gzip bytes, a 503 backs off and
// retries, a 200 acknowledges the spool, a 410 stops uploads.

#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "agent/sign/key_signing_sender.h"
#include "agent/spool/spool.h"
#include "agent/upload/uploader.h"
#include "fake_key_store.h"
#include "pairing/batch.h"
#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "platform/posix/posix_file_system.h"
#include "scripted_transport.h"
#include "temp_dir.h"

using namespace tally::agent;
using namespace tally::agent::test;
namespace pairing = tally::pairing;

namespace {

void append_n(spool::Spool& s, int n) {
    for (int i = 0; i < n; ++i) {
        pairing::Heartbeat hb;
        hb.seq = s.next_seq();
        hb.start = 1'800'000'000 + static_cast<std::int64_t>(hb.seq) * 300;
        hb.end = hb.start + 300;
        hb.boot_id = "b";
        hb.prev = s.last_chain_hash();
        REQUIRE(s.append_heartbeat(hb.seq, pairing::encode_heartbeat(hb)).ok());
    }
}

UploaderOptions fast_options() {
    UploaderOptions o;
    o.device_id = "dev_test";
    o.server_url = "https://tally.example/";
    o.batch_max = 10;
    o.upload_interval = std::chrono::seconds(1);
    o.wall_now = [] { return std::int64_t{1'800'000'000}; };
    o.random01 = [] { return 0.0; };  // backoff 0 ms, interval 0.9 s
    return o;
}

pairing::Batch sent_batch(const HttpRequest& req) {
    auto json = pairing::gzip_decompress(req.body, 1 << 20);
    REQUIRE(json.ok());
    auto batch = pairing::decode_batch(*json);
    REQUIRE(batch.ok());
    return *batch;
}

}  // namespace

TEST_CASE("uploader: an ack past the batch is a protocol error: nothing deleted, retried",
          "[upload]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto spool = spool::Spool::open(files, dir.path()).value();
    append_n(*spool, 2);
    MemoryKeyStore keys(MemoryKeyStore::Start::with_key);
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
    transport.answers.push_back(
        answer(200, pairing::encode_ack({1'000'000'000, 1'800'000'000, 2, 0})));
    transport.answers.push_back(answer(200, pairing::encode_ack({2, 1'800'000'000, 0, 2})));
    asio::io_context io;
    std::vector<UploadVerdict> seen;
    std::string first_error;
    Uploader up(io, *spool, sender, fast_options(), [&](const UploadOutcome& u) {
        seen.push_back(u.verdict);
        if (seen.size() == 1)
            first_error = u.error;
        if (u.verdict == UploadVerdict::acked)
            io.stop();
    });
    up.start();
    io.run_for(std::chrono::seconds(10));

    REQUIRE(seen == std::vector<UploadVerdict>{UploadVerdict::retry, UploadVerdict::acked});
    CHECK(first_error.find("1000000000") != std::string::npos);
    CHECK(first_error.find("only to seq 2") != std::string::npos);
    CHECK(up.ack_errors() == 1);
    REQUIRE(transport.requests.size() == 2);
    CHECK(sent_batch(transport.requests[1]).heartbeats ==
          sent_batch(transport.requests[0]).heartbeats);  // the same batch again
    CHECK(spool->acked_through() == 2);
    CHECK(spool->next_seq() == 3);  // no seq skipped
}

TEST_CASE("uploader: a server that forgot gets the held heartbeats again and one gap", "[upload]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto spool = spool::Spool::open(files, dir.path()).value();
    append_n(*spool, 3);
    REQUIRE(spool->ack(3).ok());  // the server held 1..3, the spool deleted them
    append_n(*spool, 2);
    MemoryKeyStore keys(MemoryKeyStore::Start::with_key);
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
    transport.answers.push_back(
        answer(200, pairing::encode_ack({1, 1'800'000'000, 2, 0})));  // restored
    transport.answers.push_back(answer(200, pairing::encode_ack({5, 1'800'000'000, 2, 0})));
    asio::io_context io;
    std::vector<UploadOutcome> seen;
    Uploader up(io, *spool, sender, fast_options(), [&](const UploadOutcome& u) {
        seen.push_back(u);
        if (seen.size() == 2)
            io.stop();
    });
    up.start();
    io.run_for(std::chrono::seconds(10));

    REQUIRE(seen.size() == 2);
    CHECK(seen[0].verdict == UploadVerdict::acked);
    CHECK(seen[0].error.find("declared 2..3 lost by the server") != std::string::npos);
    REQUIRE(transport.requests.size() == 2);
    auto again = sent_batch(transport.requests[1]);
    REQUIRE(again.gaps.size() == 1);
    CHECK(again.gaps[0].from_seq == 2);
    CHECK(again.gaps[0].to_seq == 3);
    CHECK(again.gaps[0].reason == "server_lost");
    CHECK(again.heartbeats.size() == 2);  // 4 and 5, not renumbered
    CHECK(spool->acked_through() == 5);
    CHECK(spool->next_seq() == 6);
    CHECK(spool->gaps_declared() == 2);
    CHECK(up.ack_errors() == 0);
}

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

    MemoryKeyStore keys(MemoryKeyStore::Start::with_key);
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
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
    Uploader up(io, *spool, sender, o, [&](const UploadOutcome& u) {
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
    Uploader up2(io, *spool, sender, o, [&](const UploadOutcome& u) { seen.push_back(u.verdict); });
    up2.start();
    io.run_for(std::chrono::seconds(4));
    CHECK(seen == std::vector<UploadVerdict>{UploadVerdict::revoked});
    CHECK(transport.requests.size() == 3);
    CHECK(spool->queued() == 1);  // nothing acknowledged is lost, nothing unacknowledged deleted
}

TEST_CASE("uploader: the first upload comes right after start, then one an interval", "[upload]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto spool = spool::Spool::open(files, dir.path()).value();
    MemoryKeyStore keys(MemoryKeyStore::Start::with_key);
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
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
    Uploader up(io, *spool, sender, o, [](const UploadOutcome&) {});
    up.start();  // an empty spool: nothing to send yet
    io.run_for(std::chrono::milliseconds(200));
    CHECK(transport.requests.empty());
    append_n(*spool, 1);  // the first heartbeat after start (or pairing) goes at once
    up.on_heartbeat_appended();
    io.run_for(std::chrono::seconds(2));
    CHECK(transport.requests.size() == 1);
    CHECK(spool->acked_through() == 1);
    append_n(*spool, 1);  // later ones wait for the interval (or batch_max)
    up.on_heartbeat_appended();
    io.run_for(std::chrono::milliseconds(500));
    CHECK(transport.requests.size() == 1);
    up.stop();

    // A restart with heartbeats waiting uploads them at once.
    io.restart();
    Uploader again(io, *spool, sender, o, [](const UploadOutcome&) {});
    again.start();
    io.run_for(std::chrono::seconds(2));
    CHECK(transport.requests.size() == 2);
    CHECK(spool->acked_through() == 2);
    again.stop();
}

namespace {

//! A transport whose first send() waits until the test opens the gate: an upload in flight.
class GatedTransport : public ScriptedTransport {
  public:
    TransportResult send(const HttpRequest& request) override {
        {
            std::unique_lock lock(gate_mutex_);
            gate_.wait(lock, [this] { return open_; });
        }
        return ScriptedTransport::send(request);
    }
    void open() {
        {
            std::lock_guard lock(gate_mutex_);
            open_ = true;
        }
        gate_.notify_all();
    }

  private:
    std::mutex gate_mutex_;
    std::condition_variable gate_;
    bool open_ = false;
};

}  // namespace

TEST_CASE("uploader: shutdown during an upload still sends what closed since", "[upload]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto spool = spool::Spool::open(files, dir.path()).value();
    MemoryKeyStore keys(MemoryKeyStore::Start::with_key);
    GatedTransport transport;
    KeySigningSender sender(keys, transport);
    transport.answers.push_back(answer(200, pairing::encode_ack({1, 1'800'000'000, 1, 0})));
    transport.answers.push_back(answer(200, pairing::encode_ack({2, 1'800'000'000, 1, 0})));
    asio::io_context io;
    Uploader up(io, *spool, sender, fast_options(), [](const UploadOutcome&) {});
    append_n(*spool, 1);
    up.start();  // heartbeats wait: the first upload goes at once and blocks at the gate
    io.run_for(std::chrono::milliseconds(200));
    REQUIRE(up.in_flight());
    int finished = -1;
    up.final_upload(std::chrono::seconds(10), [&](bool in_time) { finished = in_time ? 1 : 0; });
    append_n(*spool, 1);  // the partial heartbeat closed at shutdown
    transport.open();
    for (int i = 0; i < 50 && finished < 0; ++i)
        io.run_for(std::chrono::milliseconds(100));
    CHECK(finished == 1);
    REQUIRE(transport.requests.size() == 2);
    const auto last = sent_batch(transport.requests[1]).heartbeats;
    REQUIRE(!last.empty());
    CHECK(pairing::decode_heartbeat(last.back()).value().seq == 2);
    CHECK(spool->acked_through() == 2);
}
