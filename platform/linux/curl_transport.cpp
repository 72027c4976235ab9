// CurlTransport: one HTTPS request per send() on a reused libcurl easy handle.

#include "platform/linux/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <string>

#include "platform/linux/curl_error_map.h"
#include "platform/linux/spki_hash.h"

namespace tally::platform {
namespace {

using agent::TransportError;
using agent::TransportResult;

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("curl_global_init failed");
    });
}

//! State one transfer's callbacks write into.
struct Transfer {
    CURL* curl = nullptr;
    agent::HttpResponse response;
    std::size_t max_body = 0;
    bool too_large = false;
    bool spki_done = false;
    std::string spki_hex;
};

void capture_spki(Transfer& t) {
    if (t.spki_done)
        return;
    t.spki_done = true;
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(t.curl, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr)
        return;
    if (info->backend == CURLSSLBACKEND_OPENSSL)
        t.spki_hex = peer_spki_sha256_hex(info->internals);
}

std::size_t on_body(char* data, std::size_t size, std::size_t nmemb, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    const std::size_t n = size * nmemb;
    capture_spki(t);
    if (t.response.body.size() + n > t.max_body) {
        t.too_large = true;
        return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
    }
    t.response.body.append(data, n);
    return n;
}

std::string trim(std::string_view s) {
    const auto* ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

std::size_t on_header(char* data, std::size_t size, std::size_t nmemb, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    const std::size_t n = size * nmemb;
    capture_spki(t);
    std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
        // A new status line (after 100 Continue or a redirect): earlier headers do not count.
        t.response.headers.clear();
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
        return n;
    std::string name = trim(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    t.response.headers.emplace_back(std::move(name), trim(line.substr(colon + 1)));
    return n;
}

struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

TransportResult failure(TransportError e, std::string message) {
    TransportResult r;
    r.error = e;
    r.message = std::move(message);
    return r;
}

}  // namespace

struct CurlTransport::Handle {
    CURL* curl = nullptr;
    Handle() : curl(curl_easy_init()) {
        if (curl == nullptr)
            throw std::runtime_error("curl_easy_init failed");
    }
    ~Handle() { curl_easy_cleanup(curl); }
};

CurlTransport::CurlTransport() {
    global_init_once();
    handle_ = std::make_unique<Handle>();
}

CurlTransport::~CurlTransport() = default;

void CurlTransport::configure(const agent::TransportOptions& options) {
    std::lock_guard lock(mutex_);
    options_ = options;
}

TransportResult CurlTransport::send(const agent::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    if (!request.url.starts_with("https://"))
        return failure(TransportError::bad_url, "refusing non-https URL '" + request.url + "'");

    std::string pin;
    if (!options_.pinned_spki_sha256.empty()) {
        auto p = curl_pin_from_hex(options_.pinned_spki_sha256);
        if (!p)
            return failure(TransportError::tls, "pinned server key is not a hex SHA-256");
        pin = *p;
    }

    CURL* curl = handle_->curl;
    // reset keeps the connection cache and TLS session IDs, so keep-alive still works.
    curl_easy_reset(curl);
    Transfer t;
    t.curl = curl;
    t.max_body = options_.max_response_bytes;
    char errbuf[CURL_ERROR_SIZE] = {0};

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add_header = [&](const std::string& h) {
        curl_slist* l = curl_slist_append(headers.get(), h.c_str());
        if (l != nullptr) {
            (void)headers.release();
            headers.reset(l);
        }
        return l != nullptr;
    };
    for (const auto& [name, value] : request.headers) {
        if (!add_header(name + ": " + value))
            return failure(TransportError::other, "out of memory");
    }
    add_header("Expect:");  // no 100-continue round trip for small bodies

    auto set = [&](CURLoption opt, auto value) { return curl_easy_setopt(curl, opt, value); };
    CURLcode rc = CURLE_OK;
    auto check = [&](CURLcode c) {
        if (rc == CURLE_OK)
            rc = c;
    };
    check(set(CURLOPT_URL, request.url.c_str()));
    check(set(CURLOPT_PROTOCOLS_STR, "https"));
    check(set(CURLOPT_REDIR_PROTOCOLS_STR, "https"));
    check(set(CURLOPT_NOSIGNAL, 1L));
    check(set(CURLOPT_SSL_VERIFYPEER, 1L));
    check(set(CURLOPT_SSL_VERIFYHOST, 2L));
    if (!options_.ca_file.empty())
        check(set(CURLOPT_CAINFO, options_.ca_file.c_str()));
    if (!pin.empty())
        check(set(CURLOPT_PINNEDPUBLICKEY, pin.c_str()));
    // Empty proxy: libcurl reads HTTPS_PROXY/https_proxy and NO_PROXY itself.
    if (!options_.proxy.empty())
        check(set(CURLOPT_PROXY, options_.proxy.c_str()));
    check(set(CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_ANY)));
    check(set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L));
    check(set(CURLOPT_TCP_KEEPALIVE, 1L));
    check(set(CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count())));
    check(set(CURLOPT_LOW_SPEED_LIMIT, 1L));
    check(set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count())));
    check(set(CURLOPT_TIMEOUT, static_cast<long>(options_.total_timeout.count())));
    check(set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes)));
    check(set(CURLOPT_HTTPHEADER, headers.get()));
    check(set(CURLOPT_WRITEFUNCTION, &on_body));
    check(set(CURLOPT_WRITEDATA, &t));
    check(set(CURLOPT_HEADERFUNCTION, &on_header));
    check(set(CURLOPT_HEADERDATA, &t));
    check(set(CURLOPT_ERRORBUFFER, errbuf));

    if (request.method == "GET") {
        check(set(CURLOPT_HTTPGET, 1L));
    } else if (request.method == "HEAD") {
        check(set(CURLOPT_NOBODY, 1L));
    } else {
        if (request.method != "POST")
            check(set(CURLOPT_CUSTOMREQUEST, request.method.c_str()));
        check(set(CURLOPT_POSTFIELDS, request.body.data()));
        check(set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size())));
    }
    if (rc != CURLE_OK) {
        curl_easy_reset(curl);
        return failure(TransportError::other,
                       std::string("libcurl option not supported: ") + curl_easy_strerror(rc));
    }

    rc = curl_easy_perform(curl);
    TransportResult result;
    result.server_spki_sha256 = t.spki_hex;
    if (rc != CURLE_OK) {
        result.error = t.too_large ? TransportError::response_too_large : map_curl_error(rc);
        if (result.error == TransportError::response_too_large) {
            result.message =
                "response larger than " + std::to_string(options_.max_response_bytes) + " bytes";
        } else {
            result.message = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
        }
    } else {
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        t.response.status = static_cast<int>(status);
        result.response = std::move(t.response);
    }
    // Drop pointers into this call's stack before they dangle; connections stay cached.
    curl_easy_reset(curl);
    return result;
}

}  // namespace tally::platform
