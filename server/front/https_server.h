#pragma once
// tally-server's HTTPS front: Boost.Beast on Boost.Asio, one event loop (an io_context run by
// one thread per core, each connection on its own strand) that accepts, does TLS and reads
// and writes every connection asynchronously, and a small worker pool on which the routes
// run (signature checks, SQLite). Bounded everywhere (front_limits.h,
// framing.h, router.h). bind() then run() (blocking) from one thread; stop() from any thread
// stops accepting, closes idle connections and lets requests in flight be answered.

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "pairing/result.h"
#include "server/front/connection.h"
#include "server/front/connection_registry.h"
#include "server/front/front_limits.h"
#include "server/front/router.h"
#include "server/http/routes.h"
#include "server/ingest/options.h"
#include "server/store/store.h"

namespace tally::server {

class HttpsServer {
  public:
    //! Errors: tls (certificate or key unreadable or not matching).
    static Result<std::unique_ptr<HttpsServer>> create(const std::filesystem::path& cert,
                                                       const std::filesystem::path& key,
                                                       Store& store, IngestOptions options,
                                                       Clock clock, FrontLimits limits = {});
    ~HttpsServer();
    HttpsServer(const HttpsServer&) = delete;
    HttpsServer& operator=(const HttpsServer&) = delete;

    //! Binds host:port (port 0: an ephemeral one); returns the bound port.
    Result<int> bind(const std::string& host, int port);
    //! Serves until stop() and the graceful end; false if it was never bound.
    bool run();
    void stop();
    //! True once run() accepts connections.
    bool running() const { return running_; }
    //! Open connections now (for tests and the bench).
    std::size_t connections() const { return registry_.size(); }

  private:
    HttpsServer(boost::asio::ssl::context tls, IngestOptions options, FrontLimits limits);
    void accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    void begin_stop();
    void wait_drained();
    //! Waits until every handed-on answer was given (an asynchronous route's, e.g. an upload
    //! still in the store's group commit): after this nothing outside io_ and workers_ holds a
    //! connection, so the server can go.
    void wait_answers() const;

    // Order matters: connections still queued in io_ or workers_ when they are destroyed
    // unregister themselves, so the registry outlives both; the pool goes before the loop.
    IngestOptions options_;
    FrontLimits limits_;
    Router router_;
    ConnectionRegistry registry_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> running_{false};
    std::atomic<bool> bound_{false};
    std::atomic<std::size_t> in_flight_{0};
    std::atomic<std::size_t> answering_{0};
    std::size_t io_threads_;
    boost::asio::io_context io_;
    boost::asio::ssl::context tls_;
    boost::asio::thread_pool workers_;
    FrontContext context_;
    //! The server's own handlers (accept, stop, drain) run one at a time on this strand.
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer drain_timer_;
    std::chrono::steady_clock::time_point stop_deadline_{};
};

}  // namespace tally::server
