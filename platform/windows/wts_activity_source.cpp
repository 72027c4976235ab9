// WTS sessions (see wts_activity_source.h).

#include "platform/windows/wts_activity_source.h"

#define SECURITY_WIN32
#include "platform/windows/wts_compat.h"

#include <security.h>

#include <set>

#include "platform/windows/own_session_idle.h"
#include "platform/windows/win_error.h"
#include "platform/windows/wts_session_facts.h"

namespace tally::platform {
namespace {

WtsState state_of(WTS_CONNECTSTATE_CLASS s) {
    switch (s) {
        case WTSActive:
            return WtsState::active;
        case WTSConnected:
            return WtsState::connected;
        case WTSConnectQuery:
            return WtsState::connect_query;
        case WTSShadow:
            return WtsState::shadow;
        case WTSDisconnected:
            return WtsState::disconnected;
        case WTSIdle:
            return WtsState::idle;
        case WTSListen:
            return WtsState::listen;
        case WTSReset:
            return WtsState::reset;
        case WTSDown:
            return WtsState::down;
        case WTSInit:
            return WtsState::init;
    }
    return WtsState::down;
}

//! user@realm for a domain account, when the directory answers.
std::optional<std::string> upn_of(const std::string& domain, const std::string& user) {
    const std::wstring sam = widen(domain + "\\" + user);
    wchar_t buf[512] = {0};
    ULONG size = 512;
    if (!TranslateNameW(sam.c_str(), NameSamCompatible, NameUserPrincipal, buf, &size))
        return std::nullopt;
    return narrow(buf);
}

std::uint16_t protocol_of(DWORD id) {
    LPWSTR data = nullptr;
    DWORD bytes = 0;
    std::uint16_t protocol = 0;
    if (WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, id, WTSClientProtocolType, &data,
                                    &bytes) &&
        bytes >= sizeof(USHORT))
        protocol = *reinterpret_cast<USHORT*>(data);
    if (data != nullptr)
        WTSFreeMemory(data);
    return protocol;
}

bool facts_of(DWORD id, WtsSessionFacts& f) {
    LPWSTR data = nullptr;
    DWORD bytes = 0;
    if (!WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, id, kWtsSessionInfoEx, &data,
                                     &bytes) ||
        bytes < sizeof(WTSINFOEXW))
        return false;
    const auto* ex = reinterpret_cast<const WTSINFOEXW*>(data);
    const WTSINFOEX_LEVEL1_W& l1 = ex->Data.WTSInfoExLevel1;
    f.state = state_of(l1.SessionState);
    f.session_flags = l1.SessionFlags;
    f.station = narrow(l1.WinStationName);
    f.user = narrow(l1.UserName);
    f.domain = narrow(l1.DomainName);
    f.last_input_filetime = l1.LastInputTime.QuadPart;
    f.current_filetime = l1.CurrentTime.QuadPart;
    WTSFreeMemory(data);
    return true;
}

}  // namespace

bool is_windows7_family() {
    using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto fn = ntdll ? reinterpret_cast<RtlGetVersionFn>(
                          reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")))
                    : nullptr;
    OSVERSIONINFOW v{};
    v.dwOSVersionInfoSize = sizeof v;
    return fn != nullptr && fn(&v) == 0 && v.dwMajorVersion == 6 && v.dwMinorVersion == 1;
}

WtsActivitySource::WtsActivitySource(std::unique_ptr<SessionIdle> idle)
    : windows7_family_(is_windows7_family()), idle_(std::move(idle)) {
    wchar_t name[MAX_COMPUTERNAME_LENGTH + 1] = {0};
    DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
    if (GetComputerNameW(name, &size))
        computer_ = narrow(name);
}

std::vector<agent::SessionSample> WtsActivitySource::sessions() {
    std::vector<agent::SessionSample> out;
    WTS_SESSION_INFOW* list = nullptr;
    DWORD count = 0;
    if (!WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &list, &count)) {
        error_ = tally::platform::last_error("WTSEnumerateSessionsW");
        return out;
    }
    error_.clear();
    FILETIME now{};
    GetSystemTimeAsFileTime(&now);
    const std::int64_t now_ft =
        static_cast<std::int64_t>(now.dwHighDateTime) << 32 | now.dwLowDateTime;
    std::set<std::uint32_t> interactive;
    for (DWORD i = 0; i < count; ++i) {
        WtsSessionFacts f;
        f.id = list[i].SessionId;
        f.computer = computer_;
        f.windows7_family = windows7_family_;
        if (!facts_of(f.id, f)) {
            // No WTSSessionInfoEx (older Windows): what the enumeration itself says.
            f.state = state_of(list[i].State);
            f.station = narrow(list[i].pWinStationName ? list[i].pWinStationName : L"");
            error_ =
                tally::platform::last_error("WTSSessionInfoEx for session " + std::to_string(f.id));
        }
        if (f.current_filetime == 0)
            f.current_filetime = now_ft;
        f.protocol = protocol_of(f.id);
        if (!f.user.empty() && !f.domain.empty() && f.domain != f.computer)
            f.upn = upn_of(f.domain, f.user);
        if (has_signed_in_user(f))
            interactive.insert(f.id);
        if (auto s = sample_from_wts(f))
            out.push_back(std::move(*s));
    }
    WTSFreeMemory(list);
    if (idle_)
        idle_->update(out, interactive);
    else
        apply_own_session_idle(out);  // probe in a user's session: that session's own input
    return out;
}

}  // namespace tally::platform
