#pragma once
// A local HTTPS server for transport tests: a CA and a 127.0.0.1 certificate made with the
// `openssl` CLI in a temp dir, served by cpp-httplib on a free loopback port.

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/interfaces/http_transport.h"
#include "temp_dir.h"

namespace httplib {
class SSLServer;
}

namespace tally::test {

class TlsTestServer {
  public:
    //! Routes: POST /echo (body back, X-Reply header; X-Got-Signature: the Tally-Signature
    //! that arrived; X-Got-Headers: the names of the headers that arrived), POST /close (body back,
    //! then the connection is closed), GET /big (2 MiB, Content-Length), GET /big-chunked (2 MiB
    //! chunked), GET /stall (no byte for up to 5 s), GET /trickle (chunked, one byte every 300 ms
    //! for 9 s).
    TlsTestServer();
    ~TlsTestServer();

    std::string url(const std::string& path) const;
    int port() const { return port_; }
    std::filesystem::path ca_file() const { return dir_ / "ca.pem"; }
    //! Hex SHA-256 of the server certificate's SPKI, computed by the openssl CLI.
    const std::string& spki_sha256() const { return spki_; }
    //! Transport options that trust this server's CA, with short timeouts (5/5/20 s).
    agent::TransportOptions trusted() const;
    //! The server name (SNI) of the latest TLS handshake; "" when the client sent none.
    std::string last_sni() const;

  private:
    TempDir dir_;
    std::unique_ptr<httplib::SSLServer> server_;
    std::thread thread_;
    int port_ = 0;
    std::string spki_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex sni_mutex_;
    std::string last_sni_;
};

//! A POST of `body` to `url` with a Content-Type and an `X-Test: 42` header (the server
//! echoes the latter as X-Got-Test).
agent::HttpRequest post_request(const std::string& url, std::string body);

//! Runs a shell command, returns its stdout; throws if it fails.
std::string run_command(const std::string& command);

}  // namespace tally::test
