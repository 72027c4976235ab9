// Raw clients of the HTTPS tests (see live_server.h).

#include "live_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace tally::server::test {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct RawClient::Impl {
    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_client};
    asio::ssl::stream<tcp::socket> stream{io, tls};
    boost::beast::flat_buffer buffer;
};

RawClient::RawClient(int port, const std::filesystem::path& ca, const std::string& source,
                     bool handshake)
    : impl_(std::make_unique<Impl>()) {
    std::signal(SIGPIPE, SIG_IGN);
    boost::system::error_code ec;
    impl_->tls.load_verify_file(ca.string(), ec);
    REQUIRE_FALSE(ec);
    impl_->stream.set_verify_mode(asio::ssl::verify_peer);
    auto& sock = impl_->stream.next_layer();
    sock.open(tcp::v4(), ec);
    if (!ec) {
        sock.bind(tcp::endpoint(asio::ip::make_address(source), 0), ec);
    }
    if (!ec) {
        sock.connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
            ec);
    }
    if (!ec && handshake) {
        impl_->stream.handshake(asio::ssl::stream_base::client, ec);
    }
    ok_ = !ec;
}

RawClient::~RawClient() {
    boost::system::error_code ignored;
    impl_->stream.next_layer().close(ignored);
}

bool RawClient::send(const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(impl_->stream, asio::buffer(bytes), ec);
    return !ec;
}

std::optional<RawResponse> RawClient::read_response() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    boost::system::error_code ec;
    http::read(impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
        return std::nullopt;
    }
    const auto& msg = parser.get();
    RawResponse out;
    out.status = static_cast<int>(msg.result_int());
    out.body = msg.body();
    const auto connection = msg[http::field::connection];
    out.connection = std::string(connection.data(), connection.size());
    return out;
}

bool RawClient::wait_closed(std::chrono::seconds limit) {
    const int fd = impl_->stream.next_layer().native_handle();
    const auto until = std::chrono::steady_clock::now() + limit;
    char byte[256];
    while (std::chrono::steady_clock::now() < until) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            const auto n = ::recv(fd, byte, sizeof byte, 0);
            if (n <= 0) {
                return true;
            }
        }
    }
    return false;
}

IdleSocket::IdleSocket(int port, const std::string& source) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) {
        return;
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

IdleSocket::~IdleSocket() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool IdleSocket::closed_by_server(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
        return false;
    }
    char byte = 0;
    return ::recv(fd_, &byte, 1, MSG_DONTWAIT) <= 0;
}

}  // namespace tally::server::test
