#pragma once
// One client connection of the front (Boost.Beast over Asio, TLS): handshake, then requests
// one after another on the kept-alive connection. Every step runs on the event loop and is
// asynchronous; only a route's handler runs on the worker pool. Each phase has its deadline
// (front_limits.h); the header and body are bounded before anything is buffered.

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "pairing/result.h"
#include "server/front/connection_registry.h"
#include "server/front/front_limits.h"
#include "server/front/router.h"

namespace tally::server {

//! What every connection shares; owned by the HttpsServer, which outlives them all.
struct FrontContext {
    const Router& router;
    const FrontLimits& limits;
    boost::asio::thread_pool& workers;
    ConnectionRegistry& registry;
    std::atomic<bool>& stopping;
    std::atomic<std::size_t>& in_flight;  //!< requests read and not yet answered
    //! Requests handed to a route whose answer was not yet given (not yet posted back to
    //! the connection's strand): the server waits for them before it goes.
    std::atomic<std::size_t>& answering;
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
               FrontContext& front, std::string address);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    //! Graceful stop, from any thread (runs on the connection's strand): a connection between
    //! requests is closed now; one with a request in flight is closed after its answer.
    void request_stop();

  private:
    using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
    using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

    //! The first byte arrived: the TLS state (tens of KB) exists only from here on, so an
    //! idle connection costs a socket and a timer.
    void stop_if_idle();
    void on_readable(boost::beast::error_code ec);
    void on_handshake(boost::beast::error_code ec);
    //! The TCP layer once TLS started (never before on_readable).
    boost::beast::tcp_stream& tcp();
    void read_header();
    void on_header(boost::beast::error_code ec);
    void on_body(boost::beast::error_code ec);
    void dispatch();
    //! Answers an error the front found itself, then closes the connection.
    void refuse(int status, const Error& error);
    void write(Response res, bool keep_alive);
    //! Writes `msg` (a Beast response with its body set) with the head of `res`.
    template <typename Message>
    void send(std::shared_ptr<Message> msg, Response res, bool keep_alive);
    void on_write(bool keep_alive, boost::beast::error_code ec);
    void close();
    //! After a refusal: stop sending, read and drop what the client still sends (up to a
    //! two seconds, 8 MiB) so closing does not reset the connection before it reads the answer.
    void linger_close();
    void drain();

    boost::asio::ip::tcp::socket socket_;  //!< until the first byte; then moved into stream_
    boost::asio::steady_timer first_byte_timer_;
    boost::asio::ssl::context& tls_;
    std::optional<Stream> stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<Parser> parser_;
    FrontContext& front_;
    std::string address_;
    Router::Found route_;
    Request request_;
    bool keep_alive_ = false;
    bool busy_ = false;  //!< a request's header was read and its answer is not yet written
    bool first_ = true;  //!< the first request on this connection
    bool closed_ = false;
    bool refused_ = false;  //!< the request was refused unread: linger before closing
    std::size_t drained_ = 0;
    //! Only while lingering: inline, its 4 KiB made every idle connection (10,000 in the
    //! flood bench: ~40 MB) pay for a buffer almost none of them uses.
    std::unique_ptr<std::array<char, 4096>> drain_buffer_;
};

}  // namespace tally::server
