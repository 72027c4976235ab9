// WinHTTP session setup (see winhttp_session.h).

#include "platform/windows/winhttp_session.h"

#include "platform/windows/win_error.h"

#ifndef WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY
#define WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY 4
#endif
#ifndef WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3
#define WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3 0x00002000
#endif

namespace tally::platform {
namespace {

int ms(std::chrono::seconds s) {
    return static_cast<int>(s.count() * 1000);
}

HINTERNET open_handle(const WinHttpSessionState& st, std::string& mode) {
    const wchar_t* agent = L"tally-agent";
    if (st.proxy) {
        mode = "configured";
        const std::wstring server = widen(st.proxy->server);
        return WinHttpOpen(agent, WINHTTP_ACCESS_TYPE_NAMED_PROXY, server.c_str(),
                           L"<local>", 0);
    }
    // Windows 8.1+: the system's proxy, WPAD and PAC handled by WinHTTP itself.
    mode = "automatic";
    if (HINTERNET h = WinHttpOpen(agent, WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY,
                                  WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0))
        return h;
    // Older Windows (and wine): the `netsh winhttp` proxy only.
    mode = "default";
    return WinHttpOpen(agent, WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, WINHTTP_NO_PROXY_NAME,
                       WINHTTP_NO_PROXY_BYPASS, 0);
}

}  // namespace

Result<std::shared_ptr<WinHttpSessionState>> open_winhttp_session(
    const agent::TransportOptions& options) {
    auto st = std::make_shared<WinHttpSessionState>();
    st->options = options;
    if (!options.proxy.empty()) {
        auto p = parse_proxy_url(options.proxy);
        if (!p)
            return p.error();
        st->proxy = *p;
    }
    if (!options.ca_file.empty()) {
        auto ca = CaBundle::load(options.ca_file);
        if (!ca)
            return ca.error();
        st->ca = *ca;
    }
    st->session.h = open_handle(*st, st->proxy_mode);
    if (st->session.h == nullptr)
        return make_error("connect", last_error("WinHttpOpen"));
    DWORD protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3;
    if (!WinHttpSetOption(st->session.h, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols,
                          sizeof protocols)) {
        protocols = WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2;  // before TLS 1.3 support
        if (!WinHttpSetOption(st->session.h, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols,
                              sizeof protocols))
            return make_error("tls", last_error("restrict WinHTTP to TLS 1.2+"));
    }
    const int stall = ms(options.stall_timeout);
    if (!WinHttpSetTimeouts(st->session.h, ms(options.connect_timeout),
                            ms(options.connect_timeout), stall, stall))
        return make_error("other", last_error("WinHttpSetTimeouts"));
    return st;
}

}  // namespace tally::platform
