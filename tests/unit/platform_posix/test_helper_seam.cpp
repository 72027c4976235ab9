// The agent/helper seam: its frames and messages, and the real tally-agent-helper process
// behind HelperSender ("send this signed request": one helper run per exchange, the key made
// or loaded, the body signed and sent there, over HTTPS to a real local TLS server) and
// HelperKeyStore (standalone mode) — TLS sessions resumed across helpers, a helper killed
// mid-exchange, the helper found where documented, and refused when started by hand.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <memory>

#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "platform/posix/crypto_helper_client.h"
#include "platform/posix/crypto_helper_protocol.h"
#include "platform/posix/helper_frame.h"
#include "platform/posix/helper_key_store.h"
#include "platform/posix/helper_program.h"
#include "platform/posix/helper_sender.h"
#include "temp_dir.h"
#include "tls_test_server.h"

using namespace tally::platform;
using tally::agent::HttpRequest;
using tally::agent::SignedKind;
using tally::agent::SignedRequest;
using tally::agent::SignedResult;
using tally::agent::TransportError;
using tally::agent::TransportOptions;
using tally::test::TempDir;
using tally::test::TlsTestServer;

namespace {

std::shared_ptr<CryptoHelperClient> helper_for(const TempDir& dir) {
    return std::make_shared<CryptoHelperClient>(dir.path(), TALLY_AGENT_HELPER);
}

TransportOptions trusted(const TlsTestServer& server) {
    return server.trusted();
}

HttpRequest post(const std::string& url, std::string body) {
    return tally::test::post_request(url, std::move(body));
}

SignedRequest signed_post(SignedKind kind, const std::string& url, std::string body,
                          bool new_key = false) {
    SignedRequest r;
    r.kind = kind;
    r.request = post(url, std::move(body));
    r.new_key = new_key;
    return r;
}

//! The Tally-Signature the server got verifies over `body` with `public_key_b64`.
bool signed_by(const SignedResult& r, const std::string& body, const std::string& public_key_b64) {
    auto sig = tally::pairing::base64url_decode(
        r.transport.response.header("x-got-signature").value_or(""));
    auto key = tally::pairing::base64url_decode(public_key_b64);
    return sig && key &&
           tally::pairing::verify_signature(*key, tally::pairing::as_bytes(body), *sig);
}

}  // namespace

TEST_CASE("helper frames: binary fields round-trip; malformed frames are refused") {
    const Frame f{"", std::string("\0\xff\x01", 3), std::string(70000, 'x'), "ok"};
    const auto bytes = encode_frame(f);
    auto back = decode_frame(bytes);
    REQUIRE(back.ok());
    CHECK(*back == f);
    CHECK_FALSE(decode_frame(bytes.substr(0, bytes.size() - 1)).ok());  // truncated
    CHECK_FALSE(decode_frame(bytes + "x").ok());                        // trailing byte
    CHECK_FALSE(decode_frame("").ok());
    std::string lying = bytes;
    lying[8] = '\x7f';  // the first field claims more bytes than the frame has
    CHECK_FALSE(decode_frame(lying).ok());
}

TEST_CASE("helper messages: an exchange request and its answer round-trip") {
    HelperSend s;
    s.options.ca_file = "/etc/ca.pem";
    s.options.pinned_spki_sha256 = "ab";
    s.options.total_timeout = std::chrono::seconds(7);
    s.options.max_response_bytes = 1234;
    s.options.proxy_credentials_file = "/etc/tally/proxy.cred";
    s.options.low_speed_bytes = 99;
    s.options.low_speed_window = std::chrono::seconds(14);
    s.request = signed_post(SignedKind::pair, "https://h/v1", std::string("\x1f\x8b\0", 3), true);
    const auto f = encode_send(s);
    CHECK(f[0] == "exchange");
    auto back = decode_send(Frame(f.begin() + 1, f.end()));
    REQUIRE(back.ok());
    CHECK(back->options.ca_file == "/etc/ca.pem");
    CHECK(back->options.total_timeout == std::chrono::seconds(7));
    CHECK(back->options.max_response_bytes == 1234);
    CHECK(back->options.proxy_credentials_file == "/etc/tally/proxy.cred");
    CHECK(back->options.low_speed_bytes == 99);
    CHECK(back->options.low_speed_window == std::chrono::seconds(14));
    CHECK(back->request.kind == SignedKind::pair);
    CHECK(back->request.new_key);
    CHECK(back->request.request.body == s.request.request.body);
    CHECK(back->request.request.headers == s.request.request.headers);
    CHECK(back->request.request.method == "POST");
    Frame bad_kind(f.begin() + 1, f.end());
    bad_kind[0] = "sign";
    CHECK(decode_send(bad_kind).error().message.find("unknown kind") != std::string::npos);

    HelperSent sent;
    sent.result.transport.error = TransportError::timeout;
    sent.result.transport.message = "stalled";
    sent.result.transport.response.headers = {{"a", "1"}};
    sent.result.public_key = "BJiM";
    sent.result.key_created = true;
    sent.resumed = true;
    const auto g = encode_sent(sent);
    auto got = decode_sent(Frame(g.begin() + 1, g.end()));
    REQUIRE(got.ok());
    CHECK(got->result.transport.error == TransportError::timeout);
    CHECK(got->result.transport.message == "stalled");
    CHECK(got->result.transport.response.headers == sent.result.transport.response.headers);
    CHECK(got->result.public_key == "BJiM");
    CHECK(got->result.key_created);
    CHECK(got->resumed);
    CHECK_FALSE(decode_sent({"99", "", "", "", "200", "", "", "0"}).ok());  // no such error
    CHECK_FALSE(decode_send({"too", "few"}).ok());
    CHECK(frame_error({"err", "bad_key", "no key"}).code == "bad_key");
    CHECK(frame_error({"what"}).code == "bad_frame");
}

TEST_CASE("helper key store (standalone): the key is made and used in the helper, 0600") {
    TempDir dir;
    auto helper = helper_for(dir);
    HelperKeyStore keys(dir.path(), helper);
    CHECK_FALSE(keys.has_key());
    CHECK_FALSE(keys.sign(tally::pairing::as_bytes("x")).ok());  // no key yet: an error
    REQUIRE(keys.create().ok());
    CHECK(keys.has_key());
    struct stat st {};
    REQUIRE(::stat((dir.path() / "device.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(helper->pid() == -1);  // ended after create
    auto pub = keys.public_key();
    REQUIRE(pub.ok());
    CHECK(pub->size() == 65);
    const std::string message = "batch body";
    auto sig = keys.sign(tally::pairing::as_bytes(message));
    REQUIRE(sig.ok());
    CHECK(tally::pairing::verify_signature(*pub, tally::pairing::as_bytes(message), *sig));
    CHECK(helper->pid() == -1);  // every key operation is one helper run
    REQUIRE(keys.destroy().ok());
    CHECK_FALSE(keys.has_key());
}

TEST_CASE("helper sender: one helper run per exchange, signed by the device key it holds") {
    TlsTestServer server;
    TempDir dir;
    auto helper = helper_for(dir);
    HelperSender sender(helper);
    sender.configure(trusted(server));
    // No key yet: an upload is refused before anything is sent.
    auto none = sender.send(signed_post(SignedKind::upload, server.url("/echo"), "x"));
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "key");
    CHECK(helper->started() == 1);

    // Pairing makes the key in the same exchange and fills the body's public key.
    const std::string pair_body = R"({"code":"C","public_key":"","time":"t"})";
    auto paired = sender.send(signed_post(SignedKind::pair, server.url("/echo"), pair_body, true));
    REQUIRE(paired.ok());
    INFO(paired->transport.message);
    REQUIRE(paired->transport.error == TransportError::none);
    CHECK(paired->key_created);
    CHECK(tally::test::file_mode(dir.path() / "device.key") == 0600);
    const std::string filled =
        R"({"code":"C","public_key":")" + paired->public_key + R"(","time":"t"})";
    CHECK(paired->transport.response.body == filled);
    CHECK(signed_by(*paired, filled, paired->public_key));
    CHECK(paired->transport.server_spki_sha256 == server.spki_sha256());
    CHECK(helper->pid() == -1);  // ended after its answer

    for (int i = 0; i < 2; ++i) {
        const std::string body = "batch " + std::to_string(i);
        auto r = sender.send(signed_post(SignedKind::upload, server.url("/echo"), body));
        REQUIRE(r.ok());
        REQUIRE(r->transport.error == TransportError::none);
        CHECK(r->transport.response.status == 200);
        CHECK(r->transport.response.body == body);
        CHECK(r->transport.response.header("x-got-test") == std::optional<std::string>("42"));
        CHECK_FALSE(r->key_created);
        CHECK(r->public_key == paired->public_key);  // the same key signs
        CHECK(signed_by(*r, body, paired->public_key));
    }
    CHECK(helper->started() == 4);  // one run per exchange, never a second request

    TransportOptions unknown_ca = trusted(server);
    unknown_ca.ca_file = (dir.path() / "nothing.pem").string();
    sender.configure(unknown_ca);
    auto tls = sender.send(signed_post(SignedKind::retire, server.url("/echo"), "x"));
    REQUIRE(tls.ok());
    CHECK(tls->transport.error == TransportError::tls);
}

TEST_CASE("helper sender: on the wire only the headers PROTOCOL.md requires (wire budget)") {
    TlsTestServer server;
    TempDir dir;
    HelperSender sender(helper_for(dir));
    sender.configure(trusted(server));
    REQUIRE(
        sender
            .send(signed_post(SignedKind::pair, server.url("/echo"), R"({"public_key":""})", true))
            ->transport.error == TransportError::none);
    SignedRequest upload;  // as build_upload_request makes it
    upload.kind = SignedKind::upload;
    upload.request.url = server.url("/echo");
    // A real gzip stream (the test server inflates it), large enough for curl's Expect:.
    std::string noise(4000, '\0');
    std::uint32_t x = 12345;
    for (auto& c : noise)
        c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
    upload.request.body = tally::pairing::gzip_compress(noise);
    REQUIRE(upload.request.body.size() > 1024);
    upload.request.headers = {{"Tally-Device", "dev_1"},
                              {"Content-Type", "application/json"},
                              {"Content-Encoding", "gzip"}};
    auto r = sender.send(upload);
    REQUIRE(r.ok());
    REQUIRE(r->transport.error == TransportError::none);
    REQUIRE(r->transport.response.status == 200);
    INFO(r->transport.response.header("x-got-headers").value_or("(none)"));
    // No Accept, User-Agent, Expect: 100-continue, Connection or Transfer-Encoding.
    CHECK(r->transport.response.header("x-got-headers") ==
          std::optional<std::string>("content-encoding,content-length,content-type,host,"
                                     "tally-device,tally-signature"));
}

TEST_CASE("helper sender: malformed requests are refused in the helper, nothing sent") {
    TlsTestServer server;
    TempDir dir;
    HelperSender sender(helper_for(dir));
    sender.configure(trusted(server));
    // A pairing body without an empty public_key to fill.
    auto no_slot = sender.send(signed_post(SignedKind::pair, server.url("/echo"), "{}", true));
    REQUIRE_FALSE(no_slot.ok());
    CHECK(no_slot.error().code == "bad_request");
    // Only pairing makes a key.
    auto upload_new = sender.send(signed_post(SignedKind::upload, server.url("/echo"), "x", true));
    REQUIRE_FALSE(upload_new.ok());
    CHECK(upload_new.error().code == "bad_request");
    // Already signed: the caller must not sign.
    auto pre = signed_post(SignedKind::pair, server.url("/echo"), R"({"public_key":""})", true);
    pre.request.headers.emplace_back("tally-signature", "x");
    auto pre_signed = sender.send(pre);
    REQUIRE_FALSE(pre_signed.ok());
    CHECK(pre_signed.error().code == "bad_request");
}

TEST_CASE("helper sender: a helper that dies before answering is a failed exchange, not repeated") {
    TempDir dir;
    // A "helper" that exits at once without a word: as one killed mid-exchange looks.
    auto helper = std::make_shared<CryptoHelperClient>(dir.path(), "/bin/false");
    HelperSender sender(helper);
    auto r = sender.send(signed_post(SignedKind::upload, "https://127.0.0.1:1/", "x"));
    REQUIRE(r.ok());
    CHECK(r->transport.error == TransportError::other);
    INFO(r->transport.message);
    CHECK(r->transport.message.rfind("tally-agent-helper: ", 0) == 0);
    CHECK(helper->started() == 1);  // not started again: the exchange may have been sent
    CHECK(helper->pid() == -1);
}

TEST_CASE("helper sender: the TLS session is kept 0600 in the state dir and resumed") {
    TlsTestServer server;
    TempDir dir;
    auto helper = helper_for(dir);
    HelperSender sender(helper);
    sender.configure(trusted(server));
    REQUIRE(
        sender
            .send(signed_post(SignedKind::pair, server.url("/close"), R"({"public_key":""})", true))
            ->transport.error == TransportError::none);
    CHECK(sender.resumed() == 0);  // the first handshake is a full one
    REQUIRE(tally::test::file_mode(dir.path() / "tls-session") == 0600);
    for (int i = 2; i <= 3; ++i) {
        auto r = sender.send(signed_post(SignedKind::upload, server.url("/close"), "n"));
        REQUIRE(r.ok());
        REQUIRE(r->transport.error == TransportError::none);
    }
    CHECK(helper->started() == 3);
    CHECK(sender.resumed() == 2);  // each new helper resumed the stored session
}

TEST_CASE("helper program: config key, then beside the agent, then /usr/libexec/tally") {
    TempDir dir;
    CHECK(find_helper_program("/opt/x/helper", dir.path()) == "/opt/x/helper");
    CHECK(find_helper_program("", dir.path()) == "/usr/libexec/tally/tally-agent-helper");
    const auto beside = dir.path() / "tally-agent-helper";
    std::filesystem::copy_file(TALLY_AGENT_HELPER, beside);
    CHECK(find_helper_program("", dir.path()) == beside);
}

TEST_CASE("helper program: a missing helper is a clear error naming it") {
    TempDir dir;
    auto helper = std::make_shared<CryptoHelperClient>(dir.path(), dir.path() / "no-helper");
    HelperSender sender(helper);
    auto r = sender.send(signed_post(SignedKind::upload, "https://127.0.0.1:1/", "x"));
    REQUIRE(r.ok());
    CHECK(r->transport.error == TransportError::other);
    CHECK(r->transport.message.find("no-helper") != std::string::npos);
}

TEST_CASE("tally-agent-helper refuses to run by hand (no socket on fd 3)") {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(3);
        ::execl(TALLY_AGENT_HELPER, "tally-agent-helper", "/tmp", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 64);
}
