// CurlTransport: one HTTPS request per send() with libcurl (see curl_transport.h).

#include "platform/posix/helper/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "pairing/bytes.h"
#include "platform/posix/helper/proxy_trust.h"
#include "platform/posix/helper/tls_hooks.h"
#include "platform/posix/helper/tls_session_file.h"

namespace tally::platform {

using agent::TransportError;
using agent::TransportResult;

namespace {

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Slist = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

//! What the callbacks of one transfer share.
struct Transfer {
    std::size_t max_bytes = 0;
    bool too_large = false;
    agent::HttpResponse response;
    TlsState tls;  //!< session to resume, new session, server SPKI (tls_hooks.h)
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t len = size * n;
    if (t->response.body.size() + len > t->max_bytes) {
        t->too_large = true;
        return 0;  // aborts the transfer: CURLE_WRITE_ERROR
    }
    t->response.body.append(data, len);
    return len;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    if (line.starts_with("HTTP/")) {
        t->response.headers.clear();  // a new response (after 1xx): only the final one counts
        return size * n;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
        return size * n;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    t->response.headers.emplace_back(std::move(name), std::move(value));
    return size * n;
}

TransportError classify(CURLcode rc, long connect_code, bool too_large) {
    if (too_large || rc == CURLE_FILESIZE_EXCEEDED)
        return TransportError::response_too_large;
    if (connect_code >= 300)
        return TransportError::connect;  // the proxy refused the tunnel (e.g. 407)
    switch (rc) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return TransportError::bad_url;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError::resolve;
        case CURLE_COULDNT_CONNECT:
        case CURLE_PROXY:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            return TransportError::connect;
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError::timeout;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_INVALIDCERTSTATUS:
            return TransportError::tls;
        default:
            return TransportError::other;
    }
}

//! The request's own headers, and none of libcurl's defaults that the server ignores.
Slist header_list(const agent::HttpRequest& request) {
    curl_slist* list = curl_slist_append(nullptr, "Accept:");
    list = curl_slist_append(list, "Expect:");
    for (const auto& [name, value] : request.headers)
        list = curl_slist_append(list, (name + ": " + value).c_str());
    return Slist(list, &curl_slist_free_all);
}

void set_tls(CURL* c, const agent::TransportOptions& o, Transfer& t) {
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_SSL_CIPHER_LIST, "ECDHE+AESGCM:ECDHE+CHACHA20");
    curl_easy_setopt(c, CURLOPT_TLS13_CIPHERS,
                     "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!o.ca_file.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
    install_tls_hooks(c, t.tls);
    // HTTP/1.1 only (the server speaks nothing else): no ALPN extension on the wire.
    curl_easy_setopt(c, CURLOPT_SSL_ENABLE_ALPN, 0L);
}

void set_network(CURL* c, const agent::TransportOptions& o, const std::string& credentials) {
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    // Without a configured proxy libcurl reads https_proxy/HTTPS_PROXY/all_proxy itself;
    // no_proxy/NO_PROXY apply in both cases.
    if (!o.proxy.empty())
        curl_easy_setopt(c, CURLOPT_PROXY, o.proxy.c_str());
    curl_easy_setopt(c, CURLOPT_PROXYAUTH, CURLAUTH_ANY);
    if (!credentials.empty())
        curl_easy_setopt(c, CURLOPT_PROXYUSERPWD, credentials.c_str());
    curl_easy_setopt(c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(o.total_timeout.count()));
    // The low-speed rule (fewer than low_speed_bytes in low_speed_window ends the request, so
    // a server that trickles its answer is cut off long before total_timeout); libcurl counts
    // it as an average rate over the window. One rule fits in libcurl: when the stall rule
    // (no byte for stall_timeout) is the shorter, it applies instead, as 1 B/s.
    const auto window = o.low_speed_window.count();
    if (o.low_speed_bytes > 0 && window > 0 && window <= o.stall_timeout.count()) {
        const auto rate = (static_cast<long>(o.low_speed_bytes) + window - 1) / window;
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, std::max(1L, static_cast<long>(rate)));
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(window));
    } else {
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(o.stall_timeout.count()));
    }
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_response_bytes));
}

//! An HTTPS proxy's certificate: TLS >= 1.2, verified against the system store plus ca_file
//! (proxy_trust.h). Nothing to do without an https:// proxy or without ca_file (libcurl's
//! default is the system store).
Result<void> set_proxy_trust(CURL* c, const agent::TransportOptions& o) {
    curl_easy_setopt(c, CURLOPT_PROXY_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    if (o.ca_file.empty() || !https_proxy_in_use(o.proxy))
        return {};
    char* system_bundle = nullptr;
    curl_easy_getinfo(c, CURLINFO_CAINFO, &system_bundle);
    auto bundle = proxy_trust_bundle(o.ca_file, system_bundle ? system_bundle : "");
    if (!bundle)
        return bundle.error();
    curl_blob blob{bundle->data(), bundle->size(), CURL_BLOB_COPY};
    curl_easy_setopt(c, CURLOPT_PROXY_CAINFO_BLOB, &blob);
    return {};
}

void set_request(CURL* c, const agent::HttpRequest& r, curl_slist* headers) {
    curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (r.method == "GET") {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        return;
    }
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    if (r.method != "POST")
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
}

}  // namespace

std::string curl_pin(const std::string& hex) {
    auto bytes = pairing::hex_decode(hex);
    if (hex.size() != 64 || !bytes)
        return {};
    return "sha256//" + pairing::base64_encode(*bytes);
}

CurlTransport::CurlTransport(std::filesystem::path session_file, std::string proxy_credentials)
    : session_file_(std::move(session_file)), proxy_credentials_(std::move(proxy_credentials)) {}

void CurlTransport::configure(const agent::TransportOptions& options) {
    options_ = options;
}

TransportResult CurlTransport::send(const agent::HttpRequest& request) {
    TransportResult result;
    resumed_ = false;
    if (!request.url.starts_with("https://")) {
        result.error = TransportError::bad_url;
        result.message = "not an https:// URL";
        return result;
    }
    Easy easy(curl_easy_init(), &curl_easy_cleanup);
    if (!easy) {
        result.error = TransportError::other;
        result.message = "libcurl could not start a transfer";
        return result;
    }
    CURL* c = easy.get();
    Transfer t;
    t.max_bytes = options_.max_response_bytes;
    const std::string pin =
        options_.pinned_spki_sha256.empty() ? std::string() : curl_pin(options_.pinned_spki_sha256);
    if (!options_.pinned_spki_sha256.empty() && pin.empty()) {
        result.error = TransportError::tls;
        result.message = "the pinned server key is not a SHA-256 in hex";
        return result;
    }
    const std::string session_key = request.url.substr(0, request.url.find('/', 8)) + " " +
                                    options_.pinned_spki_sha256 + " " + options_.ca_file;
    if (!session_file_.empty() && tls_sessions_across_runs())
        t.tls.stored_session = load_tls_session(session_file_, session_key).value_or("");
    char error_text[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
    set_tls(c, options_, t);
    if (!pin.empty())
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin.c_str());
    set_network(c, options_, proxy_credentials_);
    if (auto r = set_proxy_trust(c, options_); !r) {
        result.error = TransportError::local_config;
        result.message = r.error().message;
        return result;
    }
    Slist headers = header_list(request);
    set_request(c, request, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);

    const CURLcode rc = curl_easy_perform(c);
    long connect_code = 0;
    curl_easy_getinfo(c, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    collect_tls_facts(c, t.tls);
    result.server_spki_sha256 = t.tls.server_spki;
    resumed_ = t.tls.resumed;
    if (!t.tls.new_session.empty() && !session_file_.empty())
        store_tls_session(session_file_, session_key, t.tls.new_session);
    if (rc != CURLE_OK) {
        result.error = classify(rc, connect_code, t.too_large);
        result.message = t.too_large ? "response larger than " +
                                           std::to_string(options_.max_response_bytes) + " bytes"
                         : connect_code >= 300
                             ? "the proxy refused the tunnel: HTTP " + std::to_string(connect_code)
                             : std::string(error_text[0] ? error_text : curl_easy_strerror(rc));
        return result;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    result.response = std::move(t.response);
    return result;
}

}  // namespace tally::platform
