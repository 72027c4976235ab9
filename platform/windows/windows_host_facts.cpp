// Host facts on Windows: DNS host name, version (RtlGetVersion + ProductName), boot id
// (derived from the boot time, stable within one boot), uptime (GetTickCount64).

#include <windows.h>

#include <cstdio>
#include <string>

#include "agent/interfaces/platform.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/windows/win_error.h"

namespace tally::agent {
namespace {

std::string os_version() {
    using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    auto fn = ntdll ? reinterpret_cast<RtlGetVersionFn>(
                          reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")))
                    : nullptr;
    OSVERSIONINFOW v{};
    v.dwOSVersionInfoSize = sizeof v;
    std::string version = "Windows";
    if (fn != nullptr && fn(&v) == 0) {
        char text[48];
        std::snprintf(text, sizeof text, " %lu.%lu.%lu", v.dwMajorVersion, v.dwMinorVersion,
                      v.dwBuildNumber);
        version += text;
    }
    wchar_t product[256] = {0};
    DWORD size = sizeof product;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
                     L"ProductName", RRF_RT_REG_SZ, nullptr, product,
                     &size) == ERROR_SUCCESS)
    {
        std::string named = platform::narrow(product);
        named += " (";
        named += version;
        named += ")";
        return named;
    }
    return version;
}

}  // namespace

HostFacts host_facts() {
    HostFacts f;
    wchar_t name[256] = {0};
    DWORD size = 256;
    if (GetComputerNameExW(ComputerNameDnsHostname, name, &size))
        f.hostname = platform::narrow(name);
    f.os = "windows";
    f.os_version = os_version();
    f.uptime_s = GetTickCount64() / 1000;
    // Boot time to the minute (now - uptime drifts by the tick resolution only).
    FILETIME now{};
    GetSystemTimeAsFileTime(&now);
    const auto now_s =
        (static_cast<std::uint64_t>(now.dwHighDateTime) << 32 | now.dwLowDateTime) / 10'000'000;
    const std::uint64_t boot_minute = (now_s - f.uptime_s + 30) / 60;
    f.boot_id = pairing::hex_encode(pairing::sha256("boot " + std::to_string(boot_minute)))
                    .substr(0, 32);
    return f;
}

}  // namespace tally::agent
