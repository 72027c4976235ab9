// UTF-8/UTF-16 conversion and Win32 error text.

#include "platform/windows/win_error.h"

#include <windows.h>

namespace tally::platform {

std::wstring widen(std::string_view utf8) {
    if (utf8.empty())
        return {};
    const int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()),
                                      nullptr, 0);
    std::wstring out(static_cast<std::size_t>(n > 0 ? n : 0), L'\0');
    if (n > 0)
        MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
    return out;
}

std::string narrow(std::wstring_view utf16) {
    if (utf16.empty())
        return {};
    const int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()),
                                      nullptr, 0, nullptr, nullptr);
    std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
    if (n > 0)
        WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(),
                            n, nullptr, nullptr);
    return out;
}

std::string win_error(std::string_view what, std::uint32_t code) {
    wchar_t buf[512] = {0};
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                             code, 0, buf, 512, nullptr);
    if (n == 0) {
        // WinHTTP's codes (12xxx) live in winhttp.dll's message table.
        HMODULE winhttp = GetModuleHandleW(L"winhttp.dll");
        if (winhttp != nullptr)
            n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS,
                               winhttp, code, 0, buf, 512, nullptr);
    }
    std::string text = narrow(std::wstring_view(buf, n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '.'))
        text.pop_back();
    std::string out(what);
    out += ": ";
    out += text.empty() ? "error" : text;
    out += " (error " + std::to_string(code) + ")";
    return out;
}

std::string last_error(std::string_view what) {
    return win_error(what, GetLastError());
}

}  // namespace tally::platform
