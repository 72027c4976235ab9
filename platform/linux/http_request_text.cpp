// format_http_request (see http_request_text.h).

#include "platform/linux/http_request_text.h"

#include <algorithm>
#include <cctype>

namespace tally::platform {
namespace {

bool same_ci(const std::string& a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool clean(const std::string& s) {
    return s.find_first_of("\r\n") == std::string::npos;
}

}  // namespace

std::string format_http_request(const agent::HttpRequest& request, const HttpsUrl& url) {
    std::string out;
    out.reserve(256 + request.body.size());
    out += request.method;
    out += ' ';
    out += url.target;
    out += " HTTP/1.1\r\nHost: ";
    out += url.authority();
    out += "\r\n";
    if (!request.body.empty() || (request.method != "GET" && request.method != "HEAD")) {
        out += "Content-Length: ";
        out += std::to_string(request.body.size());
        out += "\r\n";
    }
    for (const auto& [name, value] : request.headers) {
        // The transport owns framing; a header with a line break would inject another one.
        if (same_ci(name, "host") || same_ci(name, "content-length") ||
            same_ci(name, "transfer-encoding") || !clean(name) || !clean(value))
            continue;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
    out += request.body;
    return out;
}

}  // namespace tally::platform
