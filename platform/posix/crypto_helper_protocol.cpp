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

// kind, new_key, options (10), method, url, then body
constexpr std::size_t kSendFixed = 14;
// error, message, spki, resumed, status, body, public_key, key_created
constexpr std::size_t kSentFixed = 8;

Result<agent::SignedKind> parse_kind(const std::string& s) {
    for (auto k : {agent::SignedKind::pair, agent::SignedKind::upload, agent::SignedKind::retire})
        if (s == agent::to_string(k))
            return k;
    return make_error("bad_frame", "an exchange of unknown kind '" + s.substr(0, 32) + "'");
}

}  // namespace

Frame encode_send(const HelperSend& s) {
    const auto& o = s.options;
    const auto& r = s.request.request;
    Frame f{"exchange",
            agent::to_string(s.request.kind),
            s.request.new_key ? "1" : "0",
            o.ca_file,
            o.proxy,
            o.proxy_credentials_file,
            o.pinned_spki_sha256,
            num(o.connect_timeout.count()),
            num(o.stall_timeout.count()),
            num(o.total_timeout.count()),
            num(static_cast<std::int64_t>(o.max_response_bytes)),
            num(static_cast<std::int64_t>(o.low_speed_bytes)),
            num(o.low_speed_window.count()),
            r.method,
            r.url,
            r.body};
    for (const auto& [name, value] : r.headers) {
        f.push_back(name);
        f.push_back(value);
    }
    return f;
}

Result<HelperSend> decode_send(const Frame& f) {
    if (f.size() < kSendFixed + 1 || (f.size() - kSendFixed - 1) % 2 != 0)
        return make_error("bad_frame",
                          "an exchange request with " + std::to_string(f.size()) + " fields");
    auto kind = parse_kind(f[0]);
    if (!kind)
        return kind.error();
    if (f[1] != "0" && f[1] != "1")
        return make_error("bad_frame", "an exchange request with a bad new_key flag");
    HelperSend s;
    s.request.kind = *kind;
    s.request.new_key = f[1] == "1";
    auto& o = s.options;
    const auto at = [&f](std::size_t i) -> const std::string& { return f[i + 2]; };
    o.ca_file = at(0);
    o.proxy = at(1);
    o.proxy_credentials_file = at(2);
    o.pinned_spki_sha256 = at(3);
    std::int64_t connect = 0;
    std::int64_t stall = 0;
    std::int64_t total = 0;
    std::int64_t max_bytes = 0;
    std::int64_t low_bytes = 0;
    std::int64_t low_window = 0;
    if (!parse(at(4), connect) || !parse(at(5), stall) || !parse(at(6), total) ||
        !parse(at(7), max_bytes) || !parse(at(8), low_bytes) || !parse(at(9), low_window) ||
        connect < 0 || stall < 0 || total < 0 || max_bytes < 0 || low_bytes < 0 || low_window < 0)
        return make_error("bad_frame", "an exchange request with bad timeouts, limits or body cap");
    o.connect_timeout = std::chrono::seconds(connect);
    o.stall_timeout = std::chrono::seconds(stall);
    o.total_timeout = std::chrono::seconds(total);
    o.max_response_bytes = static_cast<std::size_t>(max_bytes);
    o.low_speed_bytes = static_cast<std::size_t>(low_bytes);
    o.low_speed_window = std::chrono::seconds(low_window);
    auto& r = s.request.request;
    r.method = at(10);
    r.url = at(11);
    r.body = at(12);
    for (std::size_t i = kSendFixed + 1; i + 1 < f.size(); i += 2)
        r.headers.emplace_back(f[i], f[i + 1]);
    return s;
}

Frame encode_sent(const HelperSent& s) {
    const auto& r = s.result.transport;
    Frame f{"ok",
            num(static_cast<std::int64_t>(r.error)),
            r.message,
            r.server_spki_sha256,
            s.resumed ? "1" : "0",
            num(r.response.status),
            r.response.body,
            s.result.public_key,
            s.result.key_created ? "1" : "0"};
    for (const auto& [name, value] : r.response.headers) {
        f.push_back(name);
        f.push_back(value);
    }
    return f;
}

Result<HelperSent> decode_sent(const Frame& f) {
    if (f.size() < kSentFixed || (f.size() - kSentFixed) % 2 != 0)
        return make_error("bad_frame",
                          "an exchange answer with " + std::to_string(f.size()) + " fields");
    std::int64_t error = 0;
    std::int64_t status = 0;
    if (!parse(f[0], error) || error < 0 ||
        error > static_cast<std::int64_t>(TransportError::other) || !parse(f[4], status))
        return make_error("bad_frame", "an exchange answer with a bad error or status");
    HelperSent s;
    auto& r = s.result.transport;
    r.error = static_cast<TransportError>(error);
    r.message = f[1];
    r.server_spki_sha256 = f[2];
    s.resumed = f[3] == "1";
    r.response.status = static_cast<int>(status);
    r.response.body = f[5];
    s.result.public_key = f[6];
    s.result.key_created = f[7] == "1";
    for (std::size_t i = kSentFixed; i + 1 < f.size(); i += 2)
        r.response.headers.emplace_back(f[i], f[i + 1]);
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
