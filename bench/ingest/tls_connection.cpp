// HTTP/1.1 over TLS with keep-alive for the load generator (see tls_connection.h).

#include "bench/ingest/tls_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace tally::bench {
namespace {

std::string ssl_error(const std::string& what) {
    char buf[256] = {0};
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    return what + ": " + buf;
}

std::string lower(std::string s) {
    for (auto& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::create(const std::string& ca_file) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
        return make_error("tls", ssl_error("SSL_CTX_new"));
    }
    std::shared_ptr<TlsContext> owned(new TlsContext(ctx));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
        return make_error("tls", ssl_error("cannot load CA file " + ca_file));
    }
    return owned;
}

TlsContext::~TlsContext() {
    SSL_CTX_free(ctx_);
}

TlsConnection::TlsConnection(std::shared_ptr<TlsContext> ctx, std::string host, int port,
                             std::string source_addr)
    : ctx_(std::move(ctx)), host_(std::move(host)), port_(port), source_(std::move(source_addr)) {}

TlsConnection::~TlsConnection() {
    close();
}

void TlsConnection::set_source(std::string source_addr) {
    if (source_addr != source_) {
        close();
        source_ = std::move(source_addr);
    }
}

void TlsConnection::close() {
    if (ssl_ != nullptr) {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    server_closes_ = false;
}

Result<void> TlsConnection::connect() {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        return make_error("io", std::string("socket: ") + std::strerror(errno));
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // A stalled server must show up as a failed request, not a hung benchmark.
    const timeval timeout{15, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (!source_.empty()) {
        sockaddr_in src{};
        src.sin_family = AF_INET;
        if (inet_pton(AF_INET, source_.c_str(), &src.sin_addr) != 1) {
            return make_error("usage", "bad source address " + source_);
        }
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
            return make_error("io", "bind " + source_ + ": " + std::strerror(errno));
        }
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(port_));
    if (inet_pton(AF_INET, host_.c_str(), &dst.sin_addr) != 1) {
        return make_error("usage", "host must be an IPv4 address: " + host_);
    }
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
        return make_error(
            "io", "connect " + host_ + ":" + std::to_string(port_) + ": " + std::strerror(errno));
    }
    ssl_ = SSL_new(ctx_->get());
    if (ssl_ == nullptr) {
        return make_error("tls", ssl_error("SSL_new"));
    }
    SSL_set_fd(ssl_, fd_);
    // The server certificate must name the address we connect to.
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host_.c_str());
    if (SSL_connect(ssl_) != 1) {
        return make_error("tls", ssl_error("TLS handshake with " + host_));
    }
    ++handshakes_;
    return {};
}

Result<std::string> TlsConnection::read_until_headers_end(std::string& buffer) {
    char chunk[16384];
    for (;;) {
        if (const auto end = buffer.find("\r\n\r\n"); end != std::string::npos) {
            std::string head = buffer.substr(0, end + 4);
            buffer.erase(0, end + 4);
            return head;
        }
        const int n = SSL_read(ssl_, chunk, sizeof chunk);
        if (n <= 0) {
            return make_error("closed", "connection closed before a response");
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

Result<HttpResponse> TlsConnection::exchange(const std::string& request, bool& retryable) {
    retryable = false;
    if (SSL_write(ssl_, request.data(), static_cast<int>(request.size())) <= 0) {
        retryable = true;
        return make_error("closed", "write failed");
    }
    std::string buffer;
    auto head = read_until_headers_end(buffer);
    if (!head) {
        retryable = true;
        return head.error();
    }
    HttpResponse resp;
    if (head->size() < 12 || head->compare(0, 5, "HTTP/") != 0) {
        return make_error("bad_response", "not an HTTP response");
    }
    resp.status = std::stoi(head->substr(9, 3));
    const auto lowered = lower(*head);
    std::size_t length = 0;
    if (const auto p = lowered.find("\r\ncontent-length:"); p != std::string::npos) {
        length = std::stoul(lowered.substr(p + 17));
    } else if (lowered.find("transfer-encoding: chunked") != std::string::npos) {
        return make_error("bad_response", "chunked responses are not supported");
    }
    server_closes_ = lowered.find("\r\nconnection: close") != std::string::npos;
    char chunk[16384];
    while (buffer.size() < length) {
        const int n = SSL_read(ssl_, chunk, sizeof chunk);
        if (n <= 0) {
            return make_error("closed", "connection closed inside a response body");
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
    resp.body = buffer.substr(0, length);
    return resp;
}

Result<HttpResponse> TlsConnection::post(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body) {
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: " + host_ + ":" +
                          std::to_string(port_) +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& [k, v] : headers) {
        request += k + ": " + v + "\r\n";
    }
    request += "\r\n";
    request += body;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (ssl_ == nullptr || server_closes_) {
            if (auto r = connect(); !r) {
                return r.error();
            }
        }
        bool retryable = false;
        auto resp = exchange(request, retryable);
        if (resp || !retryable || attempt == 1) {
            return resp;
        }
        close();  // the kept-alive connection was closed by the server: one fresh try
    }
    return make_error("closed", "unreachable");
}

}  // namespace tally::bench
