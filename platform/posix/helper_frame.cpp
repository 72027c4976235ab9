// Frames between the agent and its helper (see helper_frame.h).

#include "platform/posix/helper_frame.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace tally::platform {
namespace {

//! Waits until `fd` is ready for `events` or `deadline`: 1 ready, 0 timed out, -1 error
//! (errno set). EINTR is retried; POLLERR/POLLHUP end the wait (the next call reports them).
int wait_fd(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return 0;
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n > 0)
            return 1;
    }
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(std::string_view in, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
    return v;
}

//! Reads exactly `n` bytes into `out`; false with `error` set otherwise. `clean_eof` is set
//! when the peer closed before the first byte.
bool read_exact(int fd, char* out, std::size_t n, std::chrono::steady_clock::time_point deadline,
                Error& error, bool& clean_eof) {
    std::size_t got = 0;
    clean_eof = false;
    while (got < n) {
        const int ready = wait_fd(fd, POLLIN, deadline);
        if (ready == 0) {
            error = make_error("timeout", "the helper did not answer in time");
            return false;
        }
        if (ready < 0) {
            error = make_error("io", std::string("helper socket: ") + std::strerror(errno));
            return false;
        }
        const ssize_t r = ::read(fd, out + got, n - got);
        if (r == 0) {
            clean_eof = got == 0;
            error = make_error("io", "the helper closed its socket");
            return false;
        }
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            error = make_error("io", std::string("helper socket: ") + std::strerror(errno));
            return false;
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

}  // namespace

std::string encode_frame(const Frame& fields) {
    std::size_t size = 8;
    for (const auto& f : fields)
        size += 4 + f.size();
    std::string out;
    out.reserve(size);
    put_u32(out, static_cast<std::uint32_t>(size - 4));  // bytes after this prefix
    put_u32(out, static_cast<std::uint32_t>(fields.size()));
    for (const auto& f : fields) {
        put_u32(out, static_cast<std::uint32_t>(f.size()));
        out += f;
    }
    return out;
}

Result<Frame> decode_frame(std::string_view bytes) {
    const auto bad = [](const std::string& why) { return make_error("bad_frame", why); };
    if (bytes.size() < 8)
        return bad("frame shorter than its header");
    if (get_u32(bytes, 0) != bytes.size() - 4)
        return bad("frame length does not match its bytes");
    const std::uint32_t count = get_u32(bytes, 4);
    Frame fields;
    std::size_t at = 8;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (bytes.size() - at < 4)
            return bad("field " + std::to_string(i) + " has no length");
        const std::uint32_t len = get_u32(bytes, at);
        at += 4;
        if (bytes.size() - at < len)
            return bad("field " + std::to_string(i) + " runs past the frame");
        fields.emplace_back(bytes.substr(at, len));
        at += len;
    }
    if (at != bytes.size())
        return bad("bytes after the last field");
    return fields;
}

Result<void> write_frame(int fd, const Frame& fields,
                         std::chrono::steady_clock::time_point deadline) {
    const std::string bytes = encode_frame(fields);
    if (bytes.size() > kMaxFrameBytes)
        return make_error("too_large", "a helper message over 64 MiB");
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const int ready = wait_fd(fd, POLLOUT, deadline);
        if (ready == 0)
            return make_error("timeout", "the helper did not read in time");
        if (ready < 0)
            return make_error("io", std::string("helper socket: ") + std::strerror(errno));
        const ssize_t w = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return make_error("io", std::string("helper socket: ") + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(w);
    }
    return {};
}

Result<std::optional<Frame>> read_frame(int fd, std::chrono::steady_clock::time_point deadline) {
    char prefix[4];
    Error error;
    bool clean_eof = false;
    if (!read_exact(fd, prefix, sizeof prefix, deadline, error, clean_eof)) {
        if (clean_eof)
            return std::optional<Frame>();
        return error;
    }
    const std::uint32_t rest = get_u32(std::string_view(prefix, 4), 0);
    if (rest < 4 || rest > kMaxFrameBytes)
        return make_error("bad_frame", "helper frame of " + std::to_string(rest) + " bytes");
    std::string bytes(4 + rest, '\0');
    std::memcpy(bytes.data(), prefix, 4);
    if (!read_exact(fd, bytes.data() + 4, rest, deadline, error, clean_eof))
        return error;
    auto frame = decode_frame(bytes);
    if (!frame)
        return frame.error();
    return std::optional<Frame>(std::move(*frame));
}

}  // namespace tally::platform
