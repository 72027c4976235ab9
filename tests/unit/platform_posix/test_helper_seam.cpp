// The agent/helper seam: its frames and messages, and the real tally-agent-helper process
// behind HelperKeyStore and HelperTransport — keys made and used there, HTTPS to a real
// local TLS server, a helper killed between requests, TLS sessions resumed across helpers,
// the helper found where documented, and refused when started by hand.

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <memory>

#include "pairing/crypto.h"
#include "platform/posix/crypto_helper_client.h"
#include "platform/posix/crypto_helper_protocol.h"
#include "platform/posix/helper_frame.h"
#include "platform/posix/helper_key_store.h"
#include "platform/posix/helper_program.h"
#include "platform/posix/helper_transport.h"
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
    return std::make_shared<CryptoHelperClient>(dir.path(), TALLY_AGENT_HELPER);
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
    s.options.proxy_credentials_file = "/etc/tally/proxy.cred";
    s.request = post("https://h/v1", std::string("\x1f\x8b\0", 3));
    const auto f = encode_send(s);
    auto back = decode_send(Frame(f.begin() + 1, f.end()));
    REQUIRE(back.ok());
    CHECK(back->options.ca_file == "/etc/ca.pem");
    CHECK(back->options.total_timeout == std::chrono::seconds(7));
    CHECK(back->options.max_response_bytes == 1234);
    CHECK(back->options.proxy_credentials_file == "/etc/tally/proxy.cred");
    CHECK(back->request.body == s.request.body);
    CHECK(back->request.headers == s.request.headers);
    CHECK(back->request.method == "POST");

    HelperSent sent;
    sent.result.error = TransportError::timeout;
    sent.result.message = "stalled";
    sent.result.response.status = 0;
    sent.result.response.headers = {{"a", "1"}};
    sent.resumed = true;
    const auto g = encode_sent(sent);
    auto got = decode_sent(Frame(g.begin() + 1, g.end()));
    REQUIRE(got.ok());
    CHECK(got->result.error == TransportError::timeout);
    CHECK(got->result.message == "stalled");
    CHECK(got->result.response.headers == sent.result.response.headers);
    CHECK(got->resumed);
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

TEST_CASE("helper transport: the TLS session is kept 0600 in the state dir and resumed") {
    TlsTestServer server;
    TempDir dir;
    auto helper = helper_for(dir);
    HelperTransport transport(helper);
    transport.configure(trusted(server));
    REQUIRE(transport.send(post(server.url("/close"), "1")).error == TransportError::none);
    CHECK(transport.resumed() == 0);  // the first handshake is a full one
    REQUIRE(tally::test::file_mode(dir.path() / "tls-session") == 0600);
    for (int i = 2; i <= 3; ++i)
        REQUIRE(transport.send(post(server.url("/close"), "n")).error == TransportError::none);
    CHECK(helper->started() == 3);
    CHECK(transport.resumed() == 2);  // each new helper resumed the stored session
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
    HelperTransport transport(helper);
    auto r = transport.send(post("https://127.0.0.1:1/", "x"));
    CHECK(r.error == TransportError::other);
    CHECK(r.message.find("no-helper") != std::string::npos);
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
