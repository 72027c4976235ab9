// Requests and answers of the helper (see crypto_helper_protocol.h).

#include "platform/posix/crypto_helper_protocol.h"

#include <charconv>
#include <cstdint>

namespace tally::platform {
namespace {

using agent::TransportError;

std::string num(std::int64_t v) {
    return std::to_string(v);
}

bool parse(const std::string& s, std::int64_t& out) {
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end;
}

constexpr std::size_t kSendFixed = 10;  // options (8) + method + url, then body
constexpr std::size_t kSentFixed = 6;   // error, message, spki, resumed, status, body

}  // namespace

Frame encode_send(const HelperSend& s) {
    const auto& o = s.options;
    Frame f{"send",
            o.ca_file,
            o.proxy,
            o.proxy_credentials_file,
            o.pinned_spki_sha256,
            num(o.connect_timeout.count()),
            num(o.stall_timeout.count()),
            num(o.total_timeout.count()),
            num(static_cast<std::int64_t>(o.max_response_bytes)),
            s.request.method,
            s.request.url,
            s.request.body};
    for (const auto& [name, value] : s.request.headers) {
        f.push_back(name);
        f.push_back(value);
    }
    return f;
}

Result<HelperSend> decode_send(const Frame& f) {
    if (f.size() < kSendFixed + 1 || (f.size() - kSendFixed - 1) % 2 != 0)
        return make_error("bad_frame",
                          "a send request with " + std::to_string(f.size()) + " fields");
    HelperSend s;
    auto& o = s.options;
    o.ca_file = f[0];
    o.proxy = f[1];
    o.proxy_credentials_file = f[2];
    o.pinned_spki_sha256 = f[3];
    std::int64_t connect = 0;
    std::int64_t stall = 0;
    std::int64_t total = 0;
    std::int64_t max_bytes = 0;
    if (!parse(f[4], connect) || !parse(f[5], stall) || !parse(f[6], total) ||
        !parse(f[7], max_bytes) || connect < 0 || stall < 0 || total < 0 || max_bytes < 0)
        return make_error("bad_frame", "a send request with bad timeouts or body cap");
    o.connect_timeout = std::chrono::seconds(connect);
    o.stall_timeout = std::chrono::seconds(stall);
    o.total_timeout = std::chrono::seconds(total);
    o.max_response_bytes = static_cast<std::size_t>(max_bytes);
    s.request.method = f[8];
    s.request.url = f[9];
    s.request.body = f[10];
    for (std::size_t i = kSendFixed + 1; i + 1 < f.size(); i += 2)
        s.request.headers.emplace_back(f[i], f[i + 1]);
    return s;
}

Frame encode_sent(const HelperSent& s) {
    const auto& r = s.result;
    Frame f{"ok",
            num(static_cast<std::int64_t>(r.error)),
            r.message,
            r.server_spki_sha256,
            s.resumed ? "1" : "0",
            num(r.response.status),
            r.response.body};
    for (const auto& [name, value] : r.response.headers) {
        f.push_back(name);
        f.push_back(value);
    }
    return f;
}

Result<HelperSent> decode_sent(const Frame& f) {
    if (f.size() < kSentFixed || (f.size() - kSentFixed) % 2 != 0)
        return make_error("bad_frame",
                          "a send answer with " + std::to_string(f.size()) + " fields");
    std::int64_t error = 0;
    std::int64_t status = 0;
    if (!parse(f[0], error) || error < 0 ||
        error > static_cast<std::int64_t>(TransportError::other) || !parse(f[4], status))
        return make_error("bad_frame", "a send answer with a bad error or status");
    HelperSent s;
    s.result.error = static_cast<TransportError>(error);
    s.result.message = f[1];
    s.result.server_spki_sha256 = f[2];
    s.resumed = f[3] == "1";
    s.result.response.status = static_cast<int>(status);
    s.result.response.body = f[5];
    for (std::size_t i = kSentFixed; i + 1 < f.size(); i += 2)
        s.result.response.headers.emplace_back(f[i], f[i + 1]);
    return s;
}

Frame error_frame(const Error& e) {
    return {"err", e.code, e.message};
}

Error frame_error(const Frame& f) {
    if (f.size() == 3 && f[0] == "err")
        return make_error(f[1], f[2]);
    return make_error("bad_frame", "tally-agent-helper gave an answer of an unknown form");
}

}  // namespace tally::platform
