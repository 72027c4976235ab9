#pragma once
// An in-process tally-server front on 127.0.0.1:0 with the generated CA, for the HTTPS tests:
// a cpp-httplib client that verifies the certificate, and a raw TLS client (Boost.Asio) that
// sends bytes exactly as given (for framing and limit tests).

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <httplib.h>
#include <catch2/catch.hpp>

#include "pairing/messages.h"
#include "server/front/https_server.h"
#include "server/tls/local_ca.h"
#include "server_fixture.h"

namespace tally::server::test {

inline std::int64_t wall_clock() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

struct LiveServer {
    ServerFixture f;  // store with tenant "acme" and a code
    std::filesystem::path ca;
    std::unique_ptr<HttpsServer> server;
    std::thread thread;
    int port = 0;

    explicit LiveServer(FrontLimits limits = {},
                        const std::optional<IngestOptions>& options = std::nullopt) {
        if (options) {
            f.options = *options;
        }
        // The client (cpp-httplib over OpenSSL) writes with write(): a server that refuses a
        // body early and closes would end this test binary with SIGPIPE.
        std::signal(SIGPIPE, SIG_IGN);
        auto files = create_local_tls(f.dir.path() / "tls", wall_clock());
        REQUIRE(files.ok());
        ca = files->ca_cert;
        // The fixture's code expires relative to the fixed test clock; make one for now.
        f.code = f.make_code("acme", 5, wall_clock() + 3600);
        auto made = HttpsServer::create(files->server_cert, files->server_key, *f.store, f.options,
                                        wall_clock, limits);
        REQUIRE(made.ok());
        server = std::move(*made);
        auto bound = server->bind("127.0.0.1", 0);
        REQUIRE(bound.ok());
        port = *bound;
        thread = std::thread([this] { server->run(); });
        for (int i = 0; i < 500 && !server->running(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        REQUIRE(server->running());
    }
    ~LiveServer() {
        server->stop();
        thread.join();
    }
    std::unique_ptr<httplib::SSLClient> client() const {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
        c->set_ca_cert_path(ca.c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    httplib::Result post(const std::string& path, const SignedBody& body,
                         const std::string& device = "", bool gzip = true) const {
        httplib::Headers headers{{pairing::kHeaderSignature, body.signature}};
        if (!device.empty()) {
            headers.emplace(pairing::kHeaderDevice, device);
        }
        if (gzip) {
            headers.emplace("Content-Encoding", "gzip");
        }
        return client()->Post(path.c_str(), headers, body.body, "application/json");
    }
    httplib::Result get(const std::string& path, const std::string& token) const {
        httplib::Headers headers;
        if (!token.empty()) {
            headers.emplace("Authorization", "Bearer " + token);
        }
        return client()->Get(path.c_str(), headers);
    }
};

inline std::string error_code(const httplib::Result& res) {
    REQUIRE(res);
    const auto err = pairing::decode_error(res->body);
    REQUIRE(err.has_value());
    CHECK(res->get_header_value("Content-Type") == "application/json");
    return err->error;
}

struct RawResponse {
    int status = 0;
    std::string body;
    std::string connection;  //!< the Connection header ("close" when the server ends it)
};

//! A TLS connection that sends raw bytes. Verifies the server against the CA.
class RawClient {
  public:
    //! Connects from `source` (any 127.x.y.z) and does the TLS handshake; REQUIREs success
    //! unless `expect_refusal` (then ok() tells).
    RawClient(int port, const std::filesystem::path& ca, const std::string& source = "127.0.0.1",
              bool handshake = true);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool ok() const { return ok_; }
    //! Sends the bytes (false if the connection is gone).
    bool send(const std::string& bytes);
    //! One response, or nullopt when the server closed first.
    std::optional<RawResponse> read_response();
    //! Blocks until the server closes the connection (true), or `limit` passes (false).
    bool wait_closed(std::chrono::seconds limit = std::chrono::seconds(60));

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    bool ok_ = false;
};

//! A plain TCP connection that never sends a byte (an idle client), from `source`.
class IdleSocket {
  public:
    IdleSocket(int port, const std::string& source = "127.0.0.1");
    ~IdleSocket();
    IdleSocket(const IdleSocket&) = delete;
    IdleSocket& operator=(const IdleSocket&) = delete;
    bool connected() const { return fd_ >= 0; }
    //! True when the server has closed it (reads EOF or a reset within `wait`).
    bool closed_by_server(std::chrono::milliseconds wait);

  private:
    int fd_ = -1;
};

}  // namespace tally::server::test
