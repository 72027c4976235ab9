// One client connection (see connection.h).

#include "server/front/connection.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "server/front/framing.h"
#include "server/http/error_response.h"

namespace tally::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string str(beast::string_view v) {
    return std::string(v.data(), v.size());
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

//! A request line and header from the parser, as the neutral Request (body not yet read).
Request neutral_request(const http::request_parser<http::string_body>& parser,
                        const std::string& address) {
    const auto& msg = parser.get();
    Request req;
    req.method = str(msg.method_string());
    const auto target = std::string_view(msg.target().data(), msg.target().size());
    const auto q = target.find('?');
    req.path = url_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) {
        parse_url_params(target.substr(q + 1), req.params);
    }
    for (const auto& field : msg) {
        req.headers.emplace(str(field.name_string()), str(field.value()));
    }
    req.remote_addr = address;
    return req;
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, asio::ssl::context& tls, FrontContext& front,
                       std::string address)
    : socket_(std::move(socket)),
      first_byte_timer_(socket_.get_executor()),
      tls_(tls),
      front_(front),
      address_(std::move(address)) {}

beast::tcp_stream& Connection::tcp() {
    return beast::get_lowest_layer(*stream_);
}

Connection::~Connection() {
    front_.registry.release(this, address_);
}

void Connection::start() {
    first_byte_timer_.expires_after(front_.limits.handshake_timeout);
    first_byte_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec && !self->stream_) {
            self->close();
        }
    });
    socket_.async_wait(
        asio::ip::tcp::socket::wait_read,
        [self = shared_from_this()](beast::error_code ec) { self->on_readable(ec); });
}

void Connection::on_readable(beast::error_code ec) {
    if (ec || closed_ || front_.stopping) {
        return close();
    }
    first_byte_timer_.cancel();
    stream_.emplace(std::move(socket_), tls_);
    tcp().expires_after(front_.limits.handshake_timeout);
    stream_->async_handshake(
        asio::ssl::stream_base::server,
        beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
}

void Connection::request_stop() {
    asio::post(first_byte_timer_.get_executor(),
               [self = shared_from_this()] { self->stop_if_idle(); });
}

void Connection::stop_if_idle() {
    if (!busy_) {
        close();
    }
}

void Connection::on_handshake(beast::error_code ec) {
    if (ec || front_.stopping) {
        close();
        return;
    }
    read_header();
}

void Connection::read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(front_.limits.max_header_bytes));
    // The largest body any route takes; the route's own limit is set once it is known.
    parser_->body_limit(kLargeBody);
    tcp().expires_after(first_ ? front_.limits.header_timeout : front_.limits.idle_timeout);
    http::async_read_header(
        *stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
    if (ec == http::error::header_limit) {
        return refuse(
            431, make_error("header_too_large", "the request header is over " +
                                                    std::to_string(front_.limits.max_header_bytes) +
                                                    " bytes"));
    }
    if (ec == http::error::body_limit) {
        return refuse(413, make_error("payload_too_large", "the body is too large"));
    }
    if (ec && is_parse_error(ec)) {
        return refuse(400, make_error("bad_request", "malformed request: " + ec.message()));
    }
    if (ec) {
        return close();
    }
    busy_ = true;
    first_ = false;
    request_ = neutral_request(*parser_, address_);
    if (auto bad = check_framing(request_.headers, front_.limits.max_header_count)) {
        return refuse(http_status_for(bad->code), *bad);
    }
    route_ = front_.router.find(request_.method, request_.path);
    if (!route_.found()) {
        const auto error =
            route_.status == 405
                ? make_error("method_not_allowed", request_.method + " is not allowed on this path")
                : make_error("not_found", "no such endpoint");
        if (!parser_->is_done()) {
            return refuse(route_.status, error);  // a body follows: not read, connection ends
        }
        ++front_.in_flight;
        Response res;
        Router::answer_error(res, route_.status, error.code, error.message);
        return write(std::move(res), parser_->get().keep_alive());
    }
    const auto length = parser_->content_length();
    if ((length && *length > route_.body_limit) ||
        (parser_->chunked() && route_.body_limit == kNoBody)) {
        return refuse(413, make_error("payload_too_large", "the body is over " +
                                                               std::to_string(route_.body_limit) +
                                                               " bytes for this endpoint"));
    }
    if (parser_->is_done()) {
        return dispatch();
    }
    parser_->body_limit(route_.body_limit);
    tcp().expires_after(front_.limits.body_timeout);
    http::async_read(
        *stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Connection::on_body(beast::error_code ec) {
    if (ec == http::error::body_limit) {
        return refuse(413, make_error("payload_too_large", "the body is over " +
                                                               std::to_string(route_.body_limit) +
                                                               " bytes for this endpoint"));
    }
    if (ec && is_parse_error(ec)) {
        return refuse(400, make_error("bad_request", "malformed body: " + ec.message()));
    }
    if (ec) {
        return close();
    }
    dispatch();
}

void Connection::dispatch() {
    keep_alive_ = parser_->get().keep_alive();
    request_.body = std::move(parser_->get().body());
    parser_.reset();
    if (request_.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) ==
        0) {
        parse_url_params(request_.body, request_.params);
    }
    ++front_.in_flight;
    tcp().expires_never();
    auto executor = first_byte_timer_.get_executor();  // the connection's strand
    asio::post(front_.workers, [self = shared_from_this(), executor]() mutable {
        // The answer is written on the connection's strand, from whichever thread gives it:
        // this worker, or (an asynchronous route such as the upload) the group commit's.
        auto& front = self->front_;
        auto& route = self->route_;
        auto& request = self->request_;
        ++front.answering;
        front.router.handle(route, request, [self = std::move(self), executor](Response res) {
            auto& answering = self->front_.answering;
            // `self` moves into the posted write: once counted down, only io_ holds it.
            asio::post(executor, [self = std::move(self), res = std::move(res)]() mutable {
                self->write(std::move(res), self->keep_alive_);
            });
            --answering;
        });
    });
}

void Connection::refuse(int status, const Error& error) {
    busy_ = true;
    refused_ = true;
    ++front_.in_flight;
    Response res;
    Router::answer_error(res, status, error.code, error.message);
    write(std::move(res), false);
}

void Connection::write(Response res, bool keep_alive) {
    if (res.body_file) {
        // A large body written to a file by the route: sent from the file, never in memory.
        auto msg = std::make_shared<http::response<http::file_body>>();
        beast::error_code ec;
        msg->body().open(res.body_file->path().c_str(), beast::file_mode::scan, ec);
        if (!ec) {
            return send(std::move(msg), std::move(res), keep_alive);
        }
        res = Response{};
        Router::answer_error(res, 500, "internal", "the response body could not be read");
    }
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->body() = std::move(res.body);
    send(std::move(msg), std::move(res), keep_alive);
}

template <typename Message>
void Connection::send(std::shared_ptr<Message> msg, Response res, bool keep_alive) {
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    for (const auto& [name, value] : res.headers) {
        msg->insert(name, value);
    }
    msg->keep_alive(keep_alive && !front_.stopping);
    msg->prepare_payload();
    tcp().expires_after(front_.limits.write_timeout);
    http::async_write(*stream_, *msg,
                      [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                          self->on_write(msg->keep_alive(), ec);
                      });
}

void Connection::on_write(bool keep_alive, beast::error_code ec) {
    busy_ = false;
    --front_.in_flight;
    request_ = Request{};
    if (refused_ && !ec) {
        return linger_close();
    }
    if (ec || !keep_alive) {
        return close();
    }
    read_header();
}

void Connection::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    beast::error_code ignored;
    first_byte_timer_.cancel();
    if (!stream_) {
        socket_.close(ignored);
        return;
    }
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
}

void Connection::linger_close() {
    beast::error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    tcp().expires_after(std::chrono::seconds(2));
    drain_buffer_ = std::make_unique<std::array<char, 4096>>();
    drain();
}

void Connection::drain() {
    constexpr std::size_t kMaxDrained = 2 * kLargeBody;
    tcp().async_read_some(asio::buffer(*drain_buffer_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrained) {
                                  return self->close();
                              }
                              self->drain();
                          });
}

}  // namespace tally::server
