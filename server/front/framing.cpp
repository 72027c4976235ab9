// Strict request framing (see framing.h).

#include "server/front/framing.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace tally::server {
namespace {

std::string trimmed_lower(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    std::string out(v);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

constexpr std::array<std::string_view, 8> kSingleValued = {"Content-Length",
                                                           "Transfer-Encoding",
                                                           "Content-Encoding",
                                                           "Tally-Signature",
                                                           "Tally-Device",
                                                           "Authorization",
                                                           "Host",
                                                           "Content-Type"};

}  // namespace

std::optional<Error> check_framing(const Headers& headers, std::size_t max_header_count) {
    if (headers.size() > max_header_count) {
        return make_error("header_too_large",
                          "the request has over " + std::to_string(max_header_count) + " headers");
    }
    for (const auto name : kSingleValued) {
        if (headers.count(std::string(name)) > 1) {
            return make_error("bad_request",
                              "the " + std::string(name) + " header must appear at most once");
        }
    }
    const auto te = headers.find("Transfer-Encoding");
    if (te != headers.end()) {
        if (headers.count("Content-Length") > 0) {
            return make_error("bad_request",
                              "Content-Length and Transfer-Encoding must not both be sent");
        }
        if (trimmed_lower(te->second) != "chunked") {
            return make_error("bad_request", "Transfer-Encoding must be 'chunked'");
        }
    }
    const auto ce = headers.find("Content-Encoding");
    if (ce != headers.end() && trimmed_lower(ce->second) != "gzip") {
        return make_error("bad_request",
                          "Content-Encoding must be a single 'gzip' (no other or stacked coding)");
    }
    return std::nullopt;
}

}  // namespace tally::server
