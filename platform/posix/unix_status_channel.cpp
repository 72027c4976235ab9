// UnixStatusChannel: asio local stream acceptor + a short-timeout client.

#include "platform/posix/unix_status_channel.h"

#include <sys/stat.h>
#include <sys/un.h>

#include <asio/connect.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <system_error>

namespace tally::platform {
namespace {

using stream = asio::local::stream_protocol;

//! sockaddr_un holds 108 bytes; asio throws for longer paths, we report instead.
bool fits_sun_path(const std::filesystem::path& p) {
    return p.native().size() < sizeof(sockaddr_un::sun_path);
}

}  // namespace

//! Shared with the pending accept handler so the channel may go away before the io_context.
struct UnixStatusChannel::Server {
    explicit Server(asio::io_context& io) : acceptor(io) {}
    stream::acceptor acceptor;
    std::function<std::string()> provider;

    static void accept_next(const std::shared_ptr<Server>& self) {
        self->acceptor.async_accept(
            [weak = std::weak_ptr<Server>(self)](std::error_code ec, stream::socket socket) {
                auto self = weak.lock();
                if (!self || ec == asio::error::operation_aborted || !self->acceptor.is_open())
                    return;
                if (!ec)
                    answer(std::move(socket), self->provider());
                accept_next(self);
            });
    }

    static void answer(stream::socket socket, std::string payload) {
        auto conn = std::make_shared<std::pair<stream::socket, std::string>>(std::move(socket),
                                                                             std::move(payload));
        asio::async_write(conn->first, asio::buffer(conn->second),
                          [conn](std::error_code, std::size_t) {
                              std::error_code ignored;
                              conn->first.shutdown(stream::socket::shutdown_both, ignored);
                              conn->first.close(ignored);
                          });
    }
};

UnixStatusChannel::UnixStatusChannel(const std::filesystem::path& state_dir,
                                     std::chrono::milliseconds query_timeout)
    : path_(state_dir / "status.sock"), query_timeout_(query_timeout) {}

UnixStatusChannel::~UnixStatusChannel() {
    close();
}

Result<void> UnixStatusChannel::serve(asio::io_context& io, std::function<std::string()> provider) {
    if (server_)
        return make_error("io", "status channel already serving");
    if (!fits_sun_path(path_))
        return make_error("io", "status socket path too long for a Unix socket: " + path_.string());
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(path_, ec))) {
        // A socket file nobody answers on is left over from a crash; a live one is another agent.
        if (query()) {
            return make_error("already_running", "another agent answers on " + path_.string());
        }
        std::filesystem::remove(path_, ec);
        if (ec)
            return make_error("io", "remove stale " + path_.string() + ": " + ec.message());
    }
    auto server = std::make_shared<Server>(io);
    server->provider = std::move(provider);
    const stream::endpoint endpoint(path_.string());
    server->acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        server->acceptor.bind(endpoint, ec);
    if (ec)
        return make_error("io", "bind " + path_.string() + ": " + ec.message());
    if (::chmod(path_.c_str(), 0600) != 0) {
        std::error_code chmod_ec(errno, std::generic_category());
        server->acceptor.close(ec);
        std::filesystem::remove(path_, ec);
        return make_error("io", "chmod " + path_.string() + ": " + chmod_ec.message());
    }
    server->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::error_code ignored;
        server->acceptor.close(ignored);
        std::filesystem::remove(path_, ignored);
        return make_error("io", "listen " + path_.string() + ": " + ec.message());
    }
    Server::accept_next(server);
    server_ = std::move(server);
    return {};
}

void UnixStatusChannel::close() {
    if (!server_)
        return;
    std::error_code ec;
    server_->acceptor.close(ec);
    // The pending accept holds only a weak reference and ends with operation_aborted.
    server_.reset();
    std::filesystem::remove(path_, ec);
}

std::optional<std::string> UnixStatusChannel::query() {
    if (!fits_sun_path(path_))
        return std::nullopt;
    asio::io_context io;
    stream::socket socket(io);
    std::string reply;
    bool done = false;
    bool failed = false;
    auto buf = std::make_shared<std::array<char, 4096>>();
    std::function<void(std::error_code, std::size_t)> on_read;
    on_read = [&](std::error_code ec, std::size_t n) {
        reply.append(buf->data(), n);
        if (ec == asio::error::eof) {
            done = true;
        } else if (ec) {
            failed = true;
        } else if (reply.size() > (16u << 20)) {
            failed = true;  // a status reply is small; something else is on this socket
        } else {
            socket.async_read_some(asio::buffer(*buf), on_read);
        }
    };
    socket.async_connect(stream::endpoint(path_.string()), [&](std::error_code ec) {
        if (ec) {
            failed = true;
            return;
        }
        socket.async_read_some(asio::buffer(*buf), on_read);
    });
    io.run_for(query_timeout_);
    if (!done || failed)
        return std::nullopt;
    return reply;
}

}  // namespace tally::platform
