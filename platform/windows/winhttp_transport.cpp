// HTTPS requests through WinHTTP (see winhttp_transport.h).

#include "platform/windows/winhttp_transport.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "platform/windows/win_error.h"
#include "platform/windows/winhttp_session.h"

namespace tally::platform {

struct WinHttpTransport::Session {
    std::shared_ptr<WinHttpSessionState> state;
    Error error;  //!< when state is null
};

namespace {

using agent::TransportError;
using agent::TransportResult;

//! What the SENDING_REQUEST callback learned about the server, before any byte was sent.
struct CertCheck {
    const WinHttpSessionState* session = nullptr;
    std::string spki;
    std::string failure;  //!< non-empty: the request handle was closed to abort the send
    bool closed = false;
};

void CALLBACK on_status(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID, DWORD) {
    if (status != WINHTTP_CALLBACK_STATUS_SENDING_REQUEST || context == 0)
        return;
    auto* check = reinterpret_cast<CertCheck*>(context);
    PCCERT_CONTEXT cert = nullptr;
    DWORD size = sizeof cert;
    if (!WinHttpQueryOption(h, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &cert, &size))
        cert = nullptr;
    check->spki = spki_sha256_hex(cert);
    const auto& opts = check->session->options;
    if (check->session->ca) {
        if (auto r = check->session->ca->verify(cert); !r)
            check->failure = r.error().message;
    }
    if (check->failure.empty() && !opts.pinned_spki_sha256.empty() &&
        check->spki != opts.pinned_spki_sha256) {
        check->failure = "the server's public key does not match the pinned key (got sha256 " +
                         check->spki + ")";
    }
    if (cert != nullptr)
        CertFreeCertificateContext(cert);
    if (!check->failure.empty()) {
        check->closed = true;
        WinHttpCloseHandle(h);  // aborts WinHttpSendRequest before the request goes out
    }
}

TransportResult fail(TransportError e, std::string message, std::string spki = {}) {
    TransportResult r;
    r.error = e;
    r.message = std::move(message);
    r.server_spki_sha256 = std::move(spki);
    return r;
}

TransportResult fail_last(const std::string& what, const CertCheck& check) {
    const DWORD code = GetLastError();
    if (!check.failure.empty())
        return fail(TransportError::tls, check.failure, check.spki);
    return fail(classify_winhttp_error(code), win_error(what, code), check.spki);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::vector<std::pair<std::string, std::string>> parse_headers(const std::string& raw) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t pos = raw.find("\r\n");  // skip the status line
    while (pos != std::string::npos && pos + 2 < raw.size()) {
        const std::size_t start = pos + 2;
        pos = raw.find("\r\n", start);
        const std::string line = raw.substr(start, pos == std::string::npos ? pos : pos - start);
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        out.emplace_back(lower(line.substr(0, colon)), value);
    }
    return out;
}

//! Request handle closed unless the cert callback already closed it.
struct RequestHandle {
    HINTERNET h = nullptr;
    const CertCheck* check = nullptr;
    ~RequestHandle() {
        if (h != nullptr && !check->closed)
            WinHttpCloseHandle(h);
    }
};

void set_request_options(HINTERNET req, const WinHttpSessionState& s) {
    DWORD features = WINHTTP_DISABLE_REDIRECTS | WINHTTP_DISABLE_COOKIES;
    WinHttpSetOption(req, WINHTTP_OPTION_DISABLE_FEATURE, &features, sizeof features);
    // Negotiate/NTLM to the proxy as the machine account (the service runs as SYSTEM).
    DWORD logon = WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW;
    WinHttpSetOption(req, WINHTTP_OPTION_AUTOLOGON_POLICY, &logon, sizeof logon);
    if (s.ca) {
        // ca_file decides trust in the callback; WinHTTP still checks name and dates.
        DWORD flags = SECURITY_FLAG_IGNORE_UNKNOWN_CA;
        WinHttpSetOption(req, WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof flags);
    }
    if (s.proxy && !s.proxy->user.empty()) {
        const std::wstring user = widen(s.proxy->user), pass = widen(s.proxy->password);
        WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_PROXY, WINHTTP_AUTH_SCHEME_BASIC,
                              user.c_str(), pass.c_str(), nullptr);
    }
    WinHttpSetStatusCallback(req, on_status, WINHTTP_CALLBACK_FLAG_SEND_REQUEST, 0);
}

//! After a 407: answers the proxy's challenge once (Negotiate, NTLM, or Basic from config).
bool answer_proxy_challenge(HINTERNET req, const WinHttpSessionState& s) {
    DWORD schemes = 0, first = 0, target = 0;
    if (!WinHttpQueryAuthSchemes(req, &schemes, &first, &target))
        return false;
    if (s.proxy && !s.proxy->user.empty() && (schemes & WINHTTP_AUTH_SCHEME_BASIC)) {
        const std::wstring user = widen(s.proxy->user), pass = widen(s.proxy->password);
        return WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_PROXY, WINHTTP_AUTH_SCHEME_BASIC,
                                     user.c_str(), pass.c_str(), nullptr);
    }
    for (DWORD scheme : {DWORD(WINHTTP_AUTH_SCHEME_NEGOTIATE), DWORD(WINHTTP_AUTH_SCHEME_NTLM)}) {
        if (schemes & scheme)  // null user/password: the caller's (machine) credentials
            return WinHttpSetCredentials(req, WINHTTP_AUTH_TARGET_PROXY, scheme, nullptr,
                                         nullptr, nullptr);
    }
    return false;
}

DWORD query_status(HINTERNET req) {
    DWORD status = 0, size = sizeof status;
    WinHttpQueryHeaders(req, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                        WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX);
    return status;
}

std::string query_raw_headers(HINTERNET req) {
    DWORD size = 0;
    WinHttpQueryHeaders(req, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX,
                        nullptr, &size, WINHTTP_NO_HEADER_INDEX);
    std::wstring raw(size / sizeof(wchar_t) + 1, L'\0');
    if (!WinHttpQueryHeaders(req, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX,
                             raw.data(), &size, WINHTTP_NO_HEADER_INDEX))
        return {};
    raw.resize(size / sizeof(wchar_t));
    return narrow(raw);
}

TransportResult read_response(HINTERNET req, const CertCheck& check,
                              const agent::TransportOptions& opts,
                              std::chrono::steady_clock::time_point deadline) {
    TransportResult r;
    r.server_spki_sha256 = check.spki;
    r.response.status = static_cast<int>(query_status(req));
    r.response.headers = parse_headers(query_raw_headers(req));
    for (;;) {
        DWORD available = 0;
        if (!WinHttpQueryDataAvailable(req, &available))
            return fail_last("read the response", check);
        if (available == 0)
            break;
        if (r.response.body.size() + available > opts.max_response_bytes)
            return fail(TransportError::response_too_large,
                        "response larger than " + std::to_string(opts.max_response_bytes) +
                            " bytes",
                        check.spki);
        std::string chunk(available, '\0');
        DWORD got = 0;
        if (!WinHttpReadData(req, chunk.data(), available, &got))
            return fail_last("read the response", check);
        r.response.body.append(chunk.data(), got);
        if (std::chrono::steady_clock::now() > deadline)
            return fail(TransportError::timeout, "the response took longer than the total timeout",
                        check.spki);
    }
    return r;
}

std::wstring header_block(const agent::HttpRequest& request) {
    std::string text;
    for (const auto& [name, value] : request.headers)
        text += name + ": " + value + "\r\n";
    return widen(text);
}

}  // namespace

TransportError classify_winhttp_error(unsigned long code) {
    switch (code) {
        case ERROR_WINHTTP_NAME_NOT_RESOLVED:
            return TransportError::resolve;
        case ERROR_WINHTTP_CANNOT_CONNECT:
        case ERROR_WINHTTP_CONNECTION_ERROR:
        case ERROR_WINHTTP_INVALID_SERVER_RESPONSE:
            return TransportError::connect;
        case ERROR_WINHTTP_TIMEOUT:
            return TransportError::timeout;
        case ERROR_WINHTTP_SECURE_FAILURE:
        case ERROR_WINHTTP_SECURE_INVALID_CA:
        case ERROR_WINHTTP_SECURE_INVALID_CERT:
        case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
        case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
        case ERROR_WINHTTP_SECURE_CERT_REVOKED:
        case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:
        case ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE:
            return TransportError::tls;
        case ERROR_WINHTTP_INVALID_URL:
        case ERROR_WINHTTP_UNRECOGNIZED_SCHEME:
            return TransportError::bad_url;
        default:
            return TransportError::other;
    }
}

WinHttpTransport::WinHttpTransport() {
    configure(agent::TransportOptions{});
}

WinHttpTransport::~WinHttpTransport() = default;

void WinHttpTransport::configure(const agent::TransportOptions& options) {
    auto s = std::make_shared<Session>();
    auto opened = open_winhttp_session(options);
    if (opened)
        s->state = *opened;
    else
        s->error = opened.error();
    std::lock_guard lock(mutex_);
    options_ = options;
    session_ = std::move(s);
}

agent::TransportResult WinHttpTransport::send(const agent::HttpRequest& request) {
    std::shared_ptr<Session> session;
    {
        std::lock_guard lock(mutex_);
        session = session_;
    }
    if (!session->state)
        return fail(session->error.code == "bad_config" ? TransportError::other
                                                        : TransportError::connect,
                    session->error.message);
    const WinHttpSessionState& s = *session->state;
    const auto deadline = std::chrono::steady_clock::now() + s.options.total_timeout;
    const std::wstring url = widen(request.url);
    URL_COMPONENTS parts{};
    parts.dwStructSize = sizeof parts;
    parts.dwHostNameLength = parts.dwUrlPathLength = parts.dwExtraInfoLength = DWORD(-1);
    if (!WinHttpCrackUrl(url.c_str(), 0, 0, &parts) || parts.nScheme != INTERNET_SCHEME_HTTPS)
        return fail(TransportError::bad_url, "not an https:// URL: " + request.url);
    const std::wstring host(parts.lpszHostName, parts.dwHostNameLength);
    std::wstring path(parts.lpszUrlPath, parts.dwUrlPathLength);
    path.append(parts.lpszExtraInfo, parts.dwExtraInfoLength);
    CertCheck check;
    check.session = &s;
    InternetHandle connect(WinHttpConnect(s.session.h, host.c_str(), parts.nPort, 0));
    if (connect.h == nullptr)
        return fail_last("connect to " + request.url, check);
    const std::wstring method = widen(request.method);
    RequestHandle req{WinHttpOpenRequest(connect.h, method.c_str(), path.c_str(), nullptr,
                                         WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES,
                                         WINHTTP_FLAG_SECURE),
                      &check};
    if (req.h == nullptr)
        return fail_last("open request " + request.url, check);
    set_request_options(req.h, s);
    const std::wstring headers = header_block(request);
    const auto body_size = static_cast<DWORD>(request.body.size());
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (!WinHttpSendRequest(req.h, headers.empty() ? WINHTTP_NO_ADDITIONAL_HEADERS
                                                       : headers.c_str(),
                                DWORD(-1), const_cast<char*>(request.body.data()), body_size,
                                body_size, reinterpret_cast<DWORD_PTR>(&check)) ||
            !WinHttpReceiveResponse(req.h, nullptr))
            return fail_last("send to " + request.url, check);
        if (query_status(req.h) != HTTP_STATUS_PROXY_AUTH_REQ ||
            !answer_proxy_challenge(req.h, s))
            break;
    }
    return read_response(req.h, check, s.options, deadline);
}

}  // namespace tally::platform
