// The crypto helper: its frames and messages, and the real helper process (the tally-agent
// binary) behind HelperKeyStore and HelperTransport — keys made and used there, HTTPS to a
// real local TLS server, a helper killed between requests, TLS sessions handed over.

#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <memory>

#include "pairing/crypto.h"
#include "platform/linux/crypto_helper.h"
#include "platform/linux/crypto_helper_client.h"
#include "platform/linux/crypto_helper_protocol.h"
#include "platform/linux/helper_frame.h"
#include "platform/linux/helper_key_store.h"
#include "platform/linux/helper_transport.h"
#include "platform/linux/tls_transport.h"
#include "temp_dir.h"
#include "tls_test_server.h"

using namespace tally::platform;
using tally::agent::HttpRequest;
using tally::agent::TransportError;
using tally::agent::TransportOptions;
using tally::test::TempDir;
using tally::test::TlsTestServer;

namespace {

std::shared_ptr<CryptoHelperClient> helper_for(const TempDir& dir) {
    return std::make_shared<CryptoHelperClient>(dir.path(), TALLY_AGENT_BINARY);
}

TransportOptions trusted(const TlsTestServer& server) {
    return server.trusted();
}

HttpRequest post(const std::string& url, std::string body) {
    return tally::test::post_request(url, std::move(body));
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

TEST_CASE("helper messages: a send request and its answer round-trip") {
    HelperSend s;
    s.options.ca_file = "/etc/ca.pem";
    s.options.pinned_spki_sha256 = "ab";
    s.options.total_timeout = std::chrono::seconds(7);
    s.options.max_response_bytes = 1234;
    s.options.low_speed_bytes = 99;
    s.options.low_speed_window = std::chrono::seconds(14);
    s.session = std::string("\0sess", 5);
    s.request = post("https://h/v1", std::string("\x1f\x8b\0", 3));
    const auto f = encode_send(s);
    auto back = decode_send(Frame(f.begin() + 1, f.end()));
    REQUIRE(back.ok());
    CHECK(back->options.ca_file == "/etc/ca.pem");
    CHECK(back->options.total_timeout == std::chrono::seconds(7));
    CHECK(back->options.max_response_bytes == 1234);
    CHECK(back->options.low_speed_bytes == 99);
    CHECK(back->options.low_speed_window == std::chrono::seconds(14));
    CHECK(back->session == s.session);
    CHECK(back->request.body == s.request.body);
    CHECK(back->request.headers == s.request.headers);
    CHECK(back->request.method == "POST");

    HelperSent sent;
    sent.result.error = TransportError::timeout;
    sent.result.message = "stalled";
    sent.result.response.status = 0;
    sent.result.response.headers = {{"a", "1"}};
    const auto g = encode_sent(sent);
    auto got = decode_sent(Frame(g.begin() + 1, g.end()));
    REQUIRE(got.ok());
    CHECK(got->result.error == TransportError::timeout);
    CHECK(got->result.message == "stalled");
    CHECK(got->result.response.headers == sent.result.response.headers);
    CHECK_FALSE(decode_sent({"99", "", "", "", "200", ""}).ok());  // no such error
    CHECK_FALSE(decode_send({"too", "few"}).ok());
    CHECK(frame_error({"err", "bad_key", "no key"}).code == "bad_key");
    CHECK(frame_error({"what"}).code == "bad_frame");
}

TEST_CASE("helper key store: the key is made and used in the helper process, 0600") {
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
    CHECK(helper->pid() > 0);  // kept for the request that follows a signature

    // A helper that died between requests is replaced, and the request still answered.
    REQUIRE(::kill(helper->pid(), SIGKILL) == 0);
    const unsigned before = helper->started();
    auto again = keys.sign(tally::pairing::as_bytes(message));
    REQUIRE(again.ok());
    CHECK(helper->started() == before + 1);
    CHECK(tally::pairing::verify_signature(*pub, tally::pairing::as_bytes(message), *again));
    REQUIRE(keys.destroy().ok());
    CHECK_FALSE(keys.has_key());
}

TEST_CASE("helper transport: HTTPS through the helper, one helper per request") {
    TlsTestServer server;
    TempDir dir;
    auto helper = helper_for(dir);
    HelperTransport transport(helper);
    transport.configure(trusted(server));
    for (int i = 0; i < 2; ++i) {
        auto r = transport.send(post(server.url("/echo"), "hello " + std::to_string(i)));
        INFO(r.message);
        REQUIRE(r.error == TransportError::none);
        CHECK(r.response.status == 200);
        CHECK(r.response.body == "hello " + std::to_string(i));
        CHECK(r.response.header("x-got-test") == std::optional<std::string>("42"));
        CHECK(r.server_spki_sha256 == server.spki_sha256());
        CHECK(helper->pid() == -1);  // ended after its answer
    }
    CHECK(helper->started() == 2);

    TransportOptions unknown_ca = trusted(server);
    unknown_ca.ca_file = (dir.path() / "nothing.pem").string();
    transport.configure(unknown_ca);
    CHECK(transport.send(post(server.url("/echo"), "x")).error == TransportError::tls);
}

TEST_CASE("tls transport: a session handed to another transport is resumed there") {
    TlsTestServer server;
    TlsTransport first;
    first.configure(trusted(server));
    REQUIRE(first.send(post(server.url("/close"), "1")).error == TransportError::none);
    const std::string session = first.export_session();
    REQUIRE_FALSE(session.empty());

    TlsTransport second;
    second.configure(trusted(server));
    second.import_session(session);
    REQUIRE(second.send(post(server.url("/close"), "2")).error == TransportError::none);
    CHECK(second.stats().resumed == 1);

    TlsTransport third;  // garbage is ignored: a full handshake
    third.configure(trusted(server));
    third.import_session("12:not a session at all");
    REQUIRE(third.send(post(server.url("/close"), "3")).error == TransportError::none);
    CHECK(third.stats().resumed == 0);

    TlsTransport pinned;  // another pin: not the same session
    auto options = trusted(server);
    options.pinned_spki_sha256 = server.spki_sha256();
    pinned.configure(options);
    pinned.import_session(session);
    REQUIRE(pinned.send(post(server.url("/close"), "4")).error == TransportError::none);
    CHECK(pinned.stats().resumed == 0);
}

TEST_CASE("crypto helper entry: only its own argument starts it") {
    char prog[] = "tally-agent";
    char run[] = "run";
    char* normal[] = {prog, run, nullptr};
    CHECK_FALSE(run_crypto_helper_if_asked(2, normal).has_value());
    char arg[] = "__crypto-helper";
    char* by_hand[] = {prog, arg, nullptr};
    CHECK(run_crypto_helper_if_asked(2, by_hand) == std::optional<int>(64));
}
