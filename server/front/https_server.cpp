// The HTTPS front (see https_server.h).

#include "server/front/https_server.h"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "server/front/session_tickets.h"
#include "server/http/event_log.h"

namespace tally::server {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr int kListenBacklog = 4096;

//! Each connection is a descriptor: the soft limit (often 1024) is raised to the hard one,
//! and the connection limit kept under it.
std::size_t raise_descriptor_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
        return 1024;
    }
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
        ::getrlimit(RLIMIT_NOFILE, &lim);
    }
    return static_cast<std::size_t>(lim.rlim_cur);
}

Result<asio::ssl::context> make_tls(const std::filesystem::path& cert,
                                    const std::filesystem::path& key) {
    for (const auto& file : {cert, key}) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) {
            return make_error("tls", "TLS file " + file.string() + " does not exist");
        }
    }
    asio::ssl::context tls(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls.use_certificate_chain_file(cert.string(), ec);
    if (!ec) {
        tls.use_private_key_file(key.string(), asio::ssl::context::pem, ec);
    }
    if (ec || SSL_CTX_check_private_key(tls.native_handle()) != 1) {
        return make_error("tls", "cannot load the TLS certificate " + cert.string() + " and key " +
                                     key.string() +
                                     " (unreadable, not PEM, or not a matching pair)");
    }
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    configure_session_tickets(tls.native_handle());
    // An idle connection keeps no read/write buffers (tens of KB each) between records.
    SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    return tls;
}

}  // namespace

HttpsServer::HttpsServer(asio::ssl::context tls, IngestOptions options, FrontLimits limits)
    : options_(std::move(options)),
      limits_(limits),
      registry_(limits.max_connections, limits.max_connections_per_address),
      io_threads_(std::max<std::size_t>(1, limits.io_threads)),
      io_(static_cast<int>(io_threads_)),
      tls_(std::move(tls)),
      workers_(limits.workers),
      context_{router_, limits_, workers_, registry_, stopping_, in_flight_, answering_},
      strand_(asio::make_strand(io_)),
      retry_timer_(strand_),
      drain_timer_(strand_) {}

HttpsServer::~HttpsServer() {
    stop();
    wait_answers();
    workers_.join();
}

void HttpsServer::wait_answers() const {
    // Each is given once its batch's commit ended (durable or failed): bounded by one fsync.
    while (answering_ > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const std::filesystem::path& cert,
                                                         const std::filesystem::path& key,
                                                         Store& store, IngestOptions options,
                                                         Clock clock, FrontLimits limits) {
    auto tls = make_tls(cert, key);
    if (!tls) {
        return tls.error();
    }
    const std::size_t descriptors = raise_descriptor_limit();
    if (descriptors > 64 && limits.max_connections > descriptors - 64) {
        limits.max_connections = descriptors - 64;  // room for the database and the log
    }
    std::unique_ptr<HttpsServer> server(
        new HttpsServer(std::move(*tls), std::move(options), limits));
    install_routes(server->router_, store, server->options_, std::move(clock),
                   [raw = server.get()] { return raw->connections(); });
    return server;
}

Result<int> HttpsServer::bind(const std::string& host, int port) {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    const auto found = resolver.resolve(
        host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || found.empty()) {
        return make_error("io", "cannot listen on " + host + ": the address does not resolve");
    }
    const tcp::endpoint endpoint = found.begin()->endpoint();
    tcp::acceptor acceptor(strand_);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(kListenBacklog, ec);
    }
    if (ec) {
        return make_error("io", "cannot listen on " + host + ":" + std::to_string(port) + " (" +
                                    ec.message() + ")");
    }
    const int bound = acceptor.local_endpoint().port();
    acceptor_.emplace(std::move(acceptor));
    bound_ = true;
    return bound;
}

bool HttpsServer::run() {
    if (!bound_) {
        return false;
    }
    accept();
    running_ = true;
    std::vector<std::thread> loop_threads;
    for (std::size_t i = 1; i < io_threads_; ++i) {
        loop_threads.emplace_back([this] { io_.run(); });
    }
    io_.run();
    for (auto& t : loop_threads) {
        t.join();
    }
    running_ = false;
    wait_answers();
    workers_.join();
    return true;
}

void HttpsServer::stop() {
    asio::post(strand_, [this] { begin_stop(); });
}

void HttpsServer::accept() {
    // Each connection gets its own strand: its handlers never run at once on two threads.
    acceptor_->async_accept(asio::make_strand(io_),
                            [this](boost::system::error_code ec, tcp::socket socket) {
                                on_accept(ec, std::move(socket));
                            });
}

void HttpsServer::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (stopping_ || ec == asio::error::operation_aborted) {
        return;
    }
    if (ec) {
        // Out of descriptors or memory: try again shortly rather than spin.
        retry_timer_.expires_after(std::chrono::milliseconds(50));
        retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
            if (!wait_ec && !stopping_) {
                accept();
            }
        });
        return;
    }
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    if (!peer_ec) {
        auto address = peer.address().to_string();
        if (registry_.admit(address)) {
            socket.set_option(tcp::no_delay(true), peer_ec);
            try {
                auto connection =
                    std::make_shared<Connection>(std::move(socket), tls_, context_, address);
                registry_.add(connection.get(), connection);
                connection->start();
            } catch (const std::exception& e) {
                registry_.release(nullptr, address);
                log_event(std::string("cannot serve a connection: ") + e.what());
            }
        }
    }
    accept();
}

void HttpsServer::begin_stop() {
    if (stopping_.exchange(true)) {
        return;
    }
    boost::system::error_code ignored;
    if (acceptor_) {
        acceptor_->close(ignored);
    }
    retry_timer_.cancel();
    registry_.for_each([](Connection& c) { c.request_stop(); });
    stop_deadline_ = std::chrono::steady_clock::now() + limits_.shutdown_grace;
    wait_drained();
}

void HttpsServer::wait_drained() {
    if ((registry_.size() == 0 && in_flight_ == 0) ||
        std::chrono::steady_clock::now() >= stop_deadline_) {
        io_.stop();
        return;
    }
    drain_timer_.expires_after(std::chrono::milliseconds(20));
    drain_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
            registry_.for_each([](Connection& c) { c.request_stop(); });
            wait_drained();
        }
    });
}

}  // namespace tally::server
