// TlsTestServer: openssl-CLI PKI + cpp-httplib SSLServer on 127.0.0.1.

#include "tls_test_server.h"

#include <httplib.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace tally::test {

agent::HttpRequest post_request(const std::string& url, std::string body) {
    agent::HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.body = std::move(body);
    r.headers = {{"Content-Type", "application/octet-stream"}, {"X-Test", "42"}};
    return r;
}

agent::TransportOptions TlsTestServer::trusted() const {
    agent::TransportOptions o;
    o.ca_file = ca_file().string();
    o.connect_timeout = std::chrono::seconds(5);
    o.stall_timeout = std::chrono::seconds(5);
    o.total_timeout = std::chrono::seconds(20);
    return o;
}

std::string run_command(const std::string& command) {
    std::FILE* p = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (p == nullptr)
        throw std::runtime_error("popen failed: " + command);
    std::string out;
    char buf[512];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    if (::pclose(p) != 0)
        throw std::runtime_error("command failed: " + command);
    return out;
}

namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

}  // namespace

TlsTestServer::TlsTestServer() {
    const auto d = dir_.path().string();
    write_file(dir_ / "ca.cnf",
               "[req]\ndistinguished_name=dn\nprompt=no\nx509_extensions=v3_ca\n"
               "[dn]\nCN=Tally Test CA\n"
               "[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
               "subjectKeyIdentifier=hash\n");
    write_file(dir_ / "server.cnf",
               "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=127.0.0.1\n");
    write_file(dir_ / "server.ext",
               "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
               "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n");
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    run_command("cd " + d + " && openssl req -x509 -config ca.cnf" + ec +
                " -keyout ca.key -out ca.pem -days 2");
    run_command("cd " + d + " && openssl req -new -config server.cnf" + ec +
                " -keyout server.key -out server.csr");
    run_command("cd " + d +
                " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
                " -extfile server.ext -out server.pem -days 2");
    const auto dgst = run_command("cd " + d +
                                  " && openssl x509 -in server.pem -noout -pubkey"
                                  " | openssl pkey -pubin -outform DER"
                                  " | openssl dgst -sha256 -hex");
    // "SHA2-256(stdin)= <hex>" or "(stdin)= <hex>"
    spki_ = dgst.substr(dgst.rfind(' ') + 1);
    while (!spki_.empty() && (spki_.back() == '\n' || spki_.back() == '\r'))
        spki_.pop_back();

    server_ = std::make_unique<httplib::SSLServer>((dir_ / "server.pem").c_str(),
                                                   (dir_ / "server.key").c_str());
    if (!server_->is_valid())
        throw std::runtime_error("SSLServer could not load its cert");
    // Records the SNI of every ClientHello (OpenSSL calls this with or without one).
    SSL_CTX_set_tlsext_servername_arg(server_->ssl_context(), this);
    SSL_CTX_set_tlsext_servername_callback(
        server_->ssl_context(), +[](SSL* ssl, int*, void* arg) {
            auto* self = static_cast<TlsTestServer*>(arg);
            const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
            std::lock_guard lock(self->sni_mutex_);
            self->last_sni_ = name ? name : "";
            return SSL_TLSEXT_ERR_OK;
        });
    server_->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
        res.set_header("X-Reply", "yes");
        res.set_header("X-Got-Test", req.get_header_value("X-Test"));
        // The client's source port: equal across requests means one kept-alive connection.
        res.set_header("X-Peer-Port", std::to_string(req.remote_port));
        res.set_header("X-Got-Signature", req.get_header_value("Tally-Signature"));
        // The names of the headers that arrived (lower-cased), for header-budget tests.
        std::string names;
        for (const auto& [name, value] : req.headers) {
            if (name.rfind("REMOTE_", 0) == 0 || name.rfind("LOCAL_", 0) == 0)
                continue;  // cpp-httplib's own, not sent by the client
            std::string lower = name;
            for (auto& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            names += (names.empty() ? "" : ",") + lower;
        }
        res.set_header("X-Got-Headers", names);
        res.set_content(req.body, "application/octet-stream");
    });
    server_->Post("/close", [](const httplib::Request& req, httplib::Response& res) {
        // Answers, then ends the connection: the next request needs a new handshake.
        res.set_header("Connection", "close");
        res.set_header("X-Peer-Port", std::to_string(req.remote_port));
        res.set_content(req.body, "application/octet-stream");
    });
    server_->Get("/big", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(std::string(2u << 20, 'b'), "application/octet-stream");
    });
    server_->Get("/big-chunked", [](const httplib::Request&, httplib::Response& res) {
        res.set_chunked_content_provider(
            "application/octet-stream",
            [sent = std::size_t{0}](std::size_t, httplib::DataSink& sink) mutable {
                const std::string chunk(64u << 10, 'c');
                if (sent >= (2u << 20)) {
                    sink.done();
                    return true;
                }
                sent += chunk.size();
                return sink.write(chunk.data(), chunk.size());
            });
    });
    server_->Get("/trickle", [this](const httplib::Request&, httplib::Response& res) {
        // One 1-byte chunk (6 bytes on the wire) every 300 ms for 9 s: never stalled, and
        // about 20 bytes/s.
        res.set_chunked_content_provider(
            "text/plain", [this, sent = 0](std::size_t, httplib::DataSink& sink) mutable {
                if (stopping_ || sent >= 30) {
                    sink.done();
                    return true;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                ++sent;
                return sink.write("t", 1);
            });
    });
    server_->Get("/stall", [this](const httplib::Request&, httplib::Response& res) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!stopping_ && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        res.set_content("late", "text/plain");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0)
        throw std::runtime_error("SSLServer could not bind");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
}

TlsTestServer::~TlsTestServer() {
    stopping_ = true;
    server_->stop();
    if (thread_.joinable())
        thread_.join();
}

std::string TlsTestServer::url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
}

std::string TlsTestServer::last_sni() const {
    std::lock_guard lock(sni_mutex_);
    return last_sni_;
}

}  // namespace tally::test
