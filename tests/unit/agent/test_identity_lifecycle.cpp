// Identity lifecycle on real files and a real ECDSA key, with a scripted transport standing
// in for the server: a cloned state dir re-pairs as a new device with the stored code (or
// stays clone_detected without one), `retire` is signed and final, the out_of_window ack
// field reaches the uploader's verdict, and the retired state needs attention.

#include <catch2/catch.hpp>
#include <deque>
#include <fstream>
#include <mutex>

#include "agent/cli/cli_args.h"
#include "agent/identity/identity.h"
#include "agent/pair/clone_recovery.h"
#include "agent/pair/retire_device.h"
#include "agent/sign/key_signing_sender.h"
#include "agent/spool/spool.h"
#include "agent/state/agent_state.h"
#include "agent/status/status.h"
#include "agent/upload/upload_outcome.h"
#include "fake_key_store.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "pairing/pairing_code.h"
#include "platform/posix/posix_file_system.h"
#include "scripted_transport.h"
#include "temp_dir.h"

using namespace tally::agent;
using namespace tally::agent::test;
namespace pairing = tally::pairing;
namespace fs = std::filesystem;

namespace {

class FixedFingerprint : public MachineFingerprint {
  public:
    explicit FixedFingerprint(std::string fp) : fp_(std::move(fp)) {}
    std::string fingerprint() const override { return fp_; }
    std::string describe() const override { return "fixed"; }

  private:
    std::string fp_;
};

const std::string kThisMachine(64, 'a');
const std::string kOtherMachine(64, 'b');
constexpr std::int64_t kNow = 1'800'000'000;

Identity copied_identity(const std::string& code) {
    Identity id;
    id.device_id = "dev_original";
    id.tenant = "acme";
    id.server_url = "https://tally.example:8443";
    id.device_type = "business";
    id.fingerprint = kOtherMachine;
    id.paired_at = kNow - 86400;
    id.pairing_code = code;
    return id;
}

}  // namespace

TEST_CASE("identity keeps the pairing code and retirement, owner-only", "[identity]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto id = copied_identity("TLY-7Q2M-K9ZD-4XHB-R3NN");
    id.retired_at = kNow;
    REQUIRE(save_identity(files, dir.path(), id).ok());
    auto perms = fs::status(identity_path(dir.path())).permissions();
    CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    auto loaded = load_identity(files, dir.path());
    REQUIRE(loaded.ok());
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->pairing_code == id.pairing_code);
    CHECK((*loaded)->retired_at == kNow);
}

TEST_CASE("a cloned state dir pairs afresh with the stored code, spool set aside", "[identity]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    const auto code = pairing::generate_pairing_code();
    REQUIRE(save_identity(files, dir.path(), copied_identity(code)).ok());
    fs::create_directories(dir.path() / "spool");
    { std::ofstream(dir.path() / "spool" / "seg-00000000000000000001.log") << "x"; }

    MemoryKeyStore keys;
    REQUIRE(keys.create().ok());  // the copied key
    ScriptedTransport transport;
    pairing::PairResponse resp;
    resp.device_id = "dev_clone";
    resp.tenant = "acme";
    resp.server_time = kNow;
    transport.answers.push_back(answer(200, pairing::encode_pair_response(resp)));
    FixedFingerprint fp(kThisMachine);
    KeySigningSender sender(keys, transport);
    PairDeps deps{keys, sender, files, fp, HostFacts{"pc", "linux", "12", "boot", 1}, kNow};
    Config config;

    auto id = recover_from_clone(copied_identity(code), config, dir.path(), deps);
    REQUIRE(id.ok());
    CHECK(id->device_id == "dev_clone");
    CHECK(id->fingerprint == kThisMachine);
    CHECK(keys.created == 2);  // the copied key is not reused
    REQUIRE(transport.requests.size() == 1);
    auto sent = pairing::decode_pair_request(transport.requests[0].body);
    REQUIRE(sent.ok());
    CHECK(sent->code == *pairing::normalize_pairing_code(code));
    CHECK(sent->device.fingerprint == kThisMachine);
    CHECK_FALSE(fs::exists(dir.path() / "spool"));
    CHECK(fs::exists(dir.path() / ("spool-cloned-" + std::to_string(kNow)) /
                     "seg-00000000000000000001.log"));
    auto saved = load_identity(files, dir.path());
    REQUIRE(saved.ok());
    CHECK((*saved)->device_id == "dev_clone");
}

TEST_CASE("a cloned state dir without a stored code stays clone_detected", "[identity]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    REQUIRE(save_identity(files, dir.path(), copied_identity("")).ok());
    fs::create_directories(dir.path() / "spool");
    MemoryKeyStore keys;
    ScriptedTransport transport;
    FixedFingerprint fp(kThisMachine);
    KeySigningSender sender(keys, transport);
    PairDeps deps{keys, sender, files, fp, HostFacts{}, kNow};
    auto id = recover_from_clone(copied_identity(""), Config{}, dir.path(), deps);
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().code == "clone_detected");
    CHECK(transport.requests.empty());
    CHECK(fs::exists(dir.path() / "spool"));
}

TEST_CASE("retire: signed POST /v1/retire, then retired for good", "[identity]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto id = copied_identity("TLY-7Q2M-K9ZD-4XHB-R3NN");
    id.fingerprint = kThisMachine;
    REQUIRE(save_identity(files, dir.path(), id).ok());
    MemoryKeyStore keys;
    REQUIRE(keys.create().ok());
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
    RetireDeps deps{sender, files, kNow};

    SECTION("a refusal other than 410 leaves the device paired") {
        transport.answers.push_back(answer(500, pairing::encode_error({"internal", "x"})));
        auto r = retire_device(Config{}, dir.path(), "uninstall", deps);
        REQUIRE_FALSE(r.ok());
        CHECK((*load_identity(files, dir.path()))->retired_at == 0);
    }
    SECTION("200 retires; a second retire sends nothing") {
        transport.answers.push_back(answer(200, "{\"retired\":true}"));
        auto r = retire_device(Config{}, dir.path(), "uninstall", deps);
        REQUIRE(r.ok());
        CHECK(r->retired_at == kNow);
        REQUIRE(transport.requests.size() == 1);
        const auto& req = transport.requests[0];
        CHECK(req.url == "https://tally.example:8443/v1/retire");
        CHECK(header(req, pairing::kHeaderDevice) == "dev_original");
        auto sig = pairing::base64url_decode(header(req, pairing::kHeaderSignature));
        REQUIRE(sig.has_value());
        CHECK(pairing::verify_signature(*keys.public_key(), pairing::as_bytes(req.body), *sig));
        auto body = pairing::decode_retire_request(req.body);
        REQUIRE(body.ok());
        CHECK(body->reason == "uninstall");
        CHECK((*load_identity(files, dir.path()))->retired_at == kNow);
        REQUIRE(retire_device(Config{}, dir.path(), "uninstall", deps).ok());
        CHECK(transport.requests.size() == 1);
    }
    SECTION("410 (already retired or revoked) is retired too") {
        transport.answers.push_back(answer(410, pairing::encode_error({"device_revoked", "x"})));
        REQUIRE(retire_device(Config{}, dir.path(), "uninstall", deps).ok());
    }
}

TEST_CASE("retire uploads what the spool holds first, batch by batch", "[identity]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    auto id = copied_identity("TLY-7Q2M-K9ZD-4XHB-R3NN");
    id.fingerprint = kThisMachine;
    REQUIRE(save_identity(files, dir.path(), id).ok());
    Config config;
    config.batch_max = 2;  // three heartbeats: two batches
    {
        auto spool = spool::Spool::open(files, dir.path(), {config.spool_max_bytes}).value();
        for (int i = 0; i < 3; ++i) {
            pairing::Heartbeat hb;
            hb.seq = spool->next_seq();
            hb.start = kNow - 3600 + static_cast<std::int64_t>(hb.seq) * 300;
            hb.end = hb.start + 300;
            hb.boot_id = "b";
            hb.prev = spool->last_chain_hash();
            REQUIRE(spool->append_heartbeat(hb.seq, pairing::encode_heartbeat(hb)).ok());
        }
    }
    MemoryKeyStore keys;
    REQUIRE(keys.create().ok());
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
    RetireDeps deps{sender, files, kNow};
    deps.upload_limit = std::chrono::seconds(20);

    SECTION("uploaded, acknowledged, then retired") {
        transport.answers.push_back(answer(200, pairing::encode_ack({2, kNow, 0, 0})));
        transport.answers.push_back(answer(200, pairing::encode_ack({3, kNow, 0, 0})));
        transport.answers.push_back(answer(200, "{\"retired\":true}"));
        REQUIRE(retire_device(config, dir.path(), "uninstall", deps).ok());
        REQUIRE(transport.requests.size() == 3);
        CHECK(transport.requests[0].url == "https://tally.example:8443/v1/heartbeats");
        CHECK(transport.requests[1].url == "https://tally.example:8443/v1/heartbeats");
        CHECK(transport.requests[2].url == "https://tally.example:8443/v1/retire");
        auto spool = spool::Spool::open(files, dir.path(), {config.spool_max_bytes}).value();
        CHECK(spool->queued() == 0);
    }
    SECTION("a server that does not take the batch does not stop the retire") {
        transport.answers.push_back(answer(503, "{}"));
        transport.answers.push_back(answer(200, "{\"retired\":true}"));
        REQUIRE(retire_device(config, dir.path(), "uninstall", deps).ok());
        REQUIRE(transport.requests.size() == 2);  // one attempt, not retried within the limit
        CHECK(transport.requests[1].url == "https://tally.example:8443/v1/retire");
        auto spool = spool::Spool::open(files, dir.path(), {config.spool_max_bytes}).value();
        CHECK(spool->queued() == 3);  // kept: still on disk for an admin to see
    }
    SECTION("upload_limit 0 (a running agent owns the spool): retire only") {
        deps.upload_limit = std::chrono::seconds(0);
        transport.answers.push_back(answer(200, "{\"retired\":true}"));
        REQUIRE(retire_device(config, dir.path(), "uninstall", deps).ok());
        REQUIRE(transport.requests.size() == 1);
        CHECK(transport.requests[0].url == "https://tally.example:8443/v1/retire");
    }
}

TEST_CASE("retire needs a paired device", "[identity]") {
    tally::platform::PosixFileSystem files;
    tally::test::TempDir dir;
    MemoryKeyStore keys;
    ScriptedTransport transport;
    KeySigningSender sender(keys, transport);
    RetireDeps deps{sender, files, kNow};
    auto r = retire_device(Config{}, dir.path(), "uninstall", deps);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "not_paired");
}

TEST_CASE("the ack's out_of_window count reaches the verdict", "[upload]") {
    pairing::HeartbeatAck ack{7, kNow, 1, 0, 2};
    auto o = classify_upload(answer(200, pairing::encode_ack(ack)));
    CHECK(o.verdict == UploadVerdict::acked);
    CHECK(o.acked_through == 7);
    CHECK(o.out_of_window == 2);
    // An ack without the field (an older server) reads as 0.
    o = classify_upload(
        answer(200,
               "{\"acked_through\":7,\"server_time\":\"2027-01-15T08:00:00Z\",\"accepted\":1,"
               "\"duplicates\":0}"));
    CHECK(o.verdict == UploadVerdict::acked);
    CHECK(o.out_of_window == 0);
}

TEST_CASE("retired is a final state that needs attention; `retire` parses", "[state]") {
    AgentState s{};
    REQUIRE(parse_agent_state("retired", s));
    CHECK(s == AgentState::retired);
    AgentStateMachine m(AgentState::retired);
    CHECK_FALSE(m.may_upload());
    CHECK_FALSE(m.apply(StateEvent::upload_ok));
    Status st;
    st.running = true;
    st.paired = true;
    st.state = "retired";
    CHECK(status_exit_code(st, kNow) == 2);
    auto args = parse_args({"retire", "--state-dir", "/tmp/x"});
    REQUIRE(args.ok());
    CHECK(args->command == Command::retire);
}
