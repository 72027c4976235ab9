// HttpResponseParser (see http_response_parser.h).

#include "platform/linux/http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tally::platform {
namespace {

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxLine = 8 * 1024;

std::string_view trim(std::string_view s) {
    const auto* ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos)
        return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool parse_size(std::string_view text, std::size_t& out, int base) {
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

HttpResponseParser::HttpResponseParser(std::size_t max_body, bool no_body)
    : max_body_(max_body), no_body_(no_body) {}

HttpResponseParser::State HttpResponseParser::fail(std::string why) {
    problem_ = std::move(why);
    state_ = State::bad;
    return state_;
}

bool HttpResponseParser::reusable() const {
    return state_ == State::done && keep_alive_ && !trailing_bytes_;
}

HttpResponseParser::State HttpResponseParser::feed(std::string_view data) {
    if (state_ != State::need_more) {
        trailing_bytes_ = trailing_bytes_ || !data.empty();
        return state_;
    }
    buffer_.append(data);
    return parse();
}

HttpResponseParser::State HttpResponseParser::finish_at_eof() {
    if (state_ != State::need_more)
        return state_;
    if (phase_ == Phase::until_close) {
        keep_alive_ = false;
        state_ = State::done;
        return state_;
    }
    return fail(phase_ == Phase::head && buffer_.empty() && response_.status == 0
                    ? "the server closed the connection without a response"
                    : "the server closed the connection in the middle of the response");
}

bool HttpResponseParser::take_line(std::string& line) {
    const auto nl = buffer_.find('\n');
    if (nl == std::string::npos)
        return false;
    line.assign(buffer_, 0, nl);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    buffer_.erase(0, nl + 1);
    return true;
}

bool HttpResponseParser::parse_head(std::string_view head) {
    response_ = {};
    std::size_t pos = head.find('\n');
    std::string_view status_line = trim(head.substr(0, pos));
    // "HTTP/1.1 200 OK"
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
        fail("the server's answer is not HTTP");
        return false;
    }
    const bool http10 = status_line[7] == '0';
    std::size_t status = 0;
    if (!parse_size(status_line.substr(9, 3), status, 10) || status < 100 || status > 999) {
        fail("the server's answer has no valid status code");
        return false;
    }
    response_.status = static_cast<int>(status);
    std::string connection;
    while (pos != std::string_view::npos && pos + 1 < head.size()) {
        const auto next = head.find('\n', pos + 1);
        std::string_view line =
            head.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1);
        pos = next;
        line = trim(line);
        if (line.empty())
            continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            fail("the server sent a malformed header line");
            return false;
        }
        response_.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                       std::string(trim(line.substr(colon + 1))));
        if (response_.headers.back().first == "connection")
            connection = lower(response_.headers.back().second);
    }
    keep_alive_ = http10 ? connection.find("keep-alive") != std::string::npos
                         : connection.find("close") == std::string::npos;
    return true;
}

HttpResponseParser::State HttpResponseParser::append_body(std::string_view bytes) {
    if (response_.body.size() + bytes.size() > max_body_) {
        problem_ = "response larger than " + std::to_string(max_body_) + " bytes";
        state_ = State::too_large;
        return state_;
    }
    response_.body.append(bytes);
    return state_;
}

HttpResponseParser::State HttpResponseParser::parse() {
    while (state_ == State::need_more) {
        switch (phase_) {
            case Phase::head: {
                auto end = buffer_.find("\r\n\r\n");
                std::size_t skip = 4;
                if (const auto lf = buffer_.find("\n\n"); lf != std::string::npos && lf < end) {
                    end = lf;
                    skip = 2;
                }
                if (end == std::string::npos) {
                    if (buffer_.size() > kMaxHead)
                        return fail("the server's response headers are too long");
                    return state_;
                }
                const std::string head = buffer_.substr(0, end);
                buffer_.erase(0, end + skip);
                if (!parse_head(head))
                    return state_;
                const int s = response_.status;
                if (s >= 100 && s < 200)
                    continue;  // 100 Continue & co: the real response follows
                const auto te = response_.header("transfer-encoding");
                const auto cl = response_.header("content-length");
                if (no_body_ || s == 204 || s == 304) {
                    state_ = State::done;
                } else if (te && lower(*te).find("chunked") != std::string::npos) {
                    phase_ = Phase::chunk_size;
                } else if (cl) {
                    std::size_t n = 0;
                    if (!parse_size(*cl, n, 10))
                        return fail("the server sent an invalid Content-Length");
                    if (n > max_body_) {
                        problem_ = "response larger than " + std::to_string(max_body_) + " bytes";
                        return state_ = State::too_large;
                    }
                    remaining_ = n;
                    phase_ = Phase::length_body;
                    if (n == 0)
                        state_ = State::done;
                } else {
                    phase_ = Phase::until_close;
                }
                break;
            }
            case Phase::length_body: {
                const std::size_t n = std::min(remaining_, buffer_.size());
                append_body(std::string_view(buffer_).substr(0, n));
                buffer_.erase(0, n);
                remaining_ -= n;
                if (remaining_ == 0 && state_ == State::need_more)
                    state_ = State::done;
                if (state_ == State::need_more)
                    return state_;
                break;
            }
            case Phase::chunk_size: {
                std::string line;
                if (!take_line(line)) {
                    if (buffer_.size() > kMaxLine)
                        return fail("the server sent an invalid chunk size");
                    return state_;
                }
                std::size_t n = 0;
                auto size_text = trim(std::string_view(line).substr(0, line.find(';')));
                if (!parse_size(size_text, n, 16))
                    return fail("the server sent an invalid chunk size");
                if (n > max_body_ - std::min(max_body_, response_.body.size())) {
                    problem_ = "response larger than " + std::to_string(max_body_) + " bytes";
                    return state_ = State::too_large;
                }
                remaining_ = n;
                phase_ = n == 0 ? Phase::trailers : Phase::chunk_data;
                break;
            }
            case Phase::chunk_data: {
                const std::size_t n = std::min(remaining_, buffer_.size());
                append_body(std::string_view(buffer_).substr(0, n));
                buffer_.erase(0, n);
                remaining_ -= n;
                if (state_ != State::need_more)
                    return state_;
                if (remaining_ > 0)
                    return state_;
                phase_ = Phase::chunk_crlf;
                break;
            }
            case Phase::chunk_crlf: {
                std::string line;
                if (!take_line(line))
                    return buffer_.size() > 2 ? fail("the server sent a malformed chunk") : state_;
                if (!line.empty())
                    return fail("the server sent a malformed chunk");
                phase_ = Phase::chunk_size;
                break;
            }
            case Phase::trailers: {
                std::string line;
                if (!take_line(line)) {
                    if (buffer_.size() > kMaxLine)
                        return fail("the server sent an invalid trailer");
                    return state_;
                }
                if (line.empty())
                    state_ = State::done;
                break;
            }
            case Phase::until_close: {
                append_body(buffer_);
                buffer_.clear();
                return state_;
            }
        }
    }
    if (state_ == State::done && !buffer_.empty())
        trailing_bytes_ = true;
    return state_;
}

}  // namespace tally::platform
