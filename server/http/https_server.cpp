// HTTPS server setup (see https_server.h).

#include "server/http/https_server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cstddef>

namespace tally::server {
namespace {

constexpr std::size_t kWorkerThreads = 512;
constexpr int kListenBacklog = 4096;

}  // namespace

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
    // cpp-httplib serves each connection on one pool thread until it closes, and its default
    // pool has 8 threads: a 9th kept-alive connection waited in the queue for one of them to
    // close. Idle threads cost a stack mapping and a few KB resident each; uploads block in
    // the group commit (server/store/group_commit.h), so concurrent requests are what fills
    // a commit.
    // (new_task_queue must return a raw pointer; listen_after_bind() owns and deletes it.)
    ssl->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
    // TLS 1.3 sends two session tickets per handshake by default; an agent resumes with one.
    SSL_CTX_set_num_tickets(ssl->ssl_context(), 1);
    std::unique_ptr<HttpsServer> server(new HttpsServer(std::move(ssl), std::move(options)));
    // cpp-httplib listens with a backlog of 5 (compiled into libcpp-httplib): a burst of new
    // connections (a fleet after an outage, the load generator) overflowed the accept queue
    // and the dropped SYNs were retried by clients after 1 s. The listening socket is noted
    // here and listen() is called again with a larger backlog after binding.
    server->server_->set_socket_options([raw = server.get()](int sock) {
        httplib::default_socket_options(sock);
        raw->listen_fd_ = sock;
    });
    install_routes(*server->server_, store, server->options_, std::move(clock));
    return server;
}

Result<int> HttpsServer::bind(const std::string& host, int port) {
    if (port == 0) {
        const int bound = server_->bind_to_any_port(host);
        if (bound <= 0) {
            return make_error("io", "cannot listen on " + host + " (any port)");
        }
        return widen_backlog(bound);
    }
    if (!server_->bind_to_port(host, port)) {
        return make_error("io", "cannot listen on " + host + ":" + std::to_string(port) +
                                    " (address in use or not local?)");
    }
    return widen_backlog(port);
}

Result<int> HttpsServer::widen_backlog(int port) {
    // Calling listen() again on a listening socket sets its backlog (capped by somaxconn).
    if (listen_fd_ < 0 || ::listen(listen_fd_, kListenBacklog) != 0) {
        return make_error("io", "cannot set the listen backlog on port " + std::to_string(port));
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
