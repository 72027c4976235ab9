// HTTPS server setup (see https_server.h).

#include "server/http/https_server.h"

#include <openssl/ssl.h>

namespace tally::server {

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const std::filesystem::path& cert,
                                                         const std::filesystem::path& key,
                                                         Store& store, IngestOptions options,
                                                         Clock clock) {
    for (const auto& file : {cert, key}) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) {
            return make_error("tls", "TLS file " + file.string() + " does not exist");
        }
    }
    auto ssl = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!ssl->is_valid()) {
        return make_error("tls", "cannot load the TLS certificate " + cert.string() + " and key " +
                                     key.string() +
                                     " (unreadable, not PEM, or not a matching pair)");
    }
    SSL_CTX_set_min_proto_version(ssl->ssl_context(), TLS1_2_VERSION);
    // Measured with bench/ingest: with Nagle on, each answer waited ~40 ms for the client's
    // delayed ACK; httplib's default of 5 requests per connection forced a TLS handshake every
    // 5 batches; an idle keep-alive connection holds a worker thread, and agents upload every
    // 15 minutes, so idle connections are let go after 2 s.
    ssl->set_tcp_nodelay(true);
    ssl->set_keep_alive_max_count(1000);
    ssl->set_keep_alive_timeout(2);
    std::unique_ptr<HttpsServer> server(new HttpsServer(std::move(ssl), std::move(options)));
    install_routes(*server->server_, store, server->options_, std::move(clock));
    return server;
}

Result<int> HttpsServer::bind(const std::string& host, int port) {
    if (port == 0) {
        const int bound = server_->bind_to_any_port(host);
        if (bound <= 0) {
            return make_error("io", "cannot listen on " + host + " (any port)");
        }
        return bound;
    }
    if (!server_->bind_to_port(host, port)) {
        return make_error("io", "cannot listen on " + host + ":" + std::to_string(port) +
                                    " (address in use or not local?)");
    }
    return port;
}

bool HttpsServer::run() {
    return server_->listen_after_bind();
}

void HttpsServer::stop() {
    server_->stop();
}

}  // namespace tally::server
