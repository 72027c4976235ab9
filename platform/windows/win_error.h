#pragma once
// UTF-8 <-> UTF-16 for Win32 calls, and Win32/NTSTATUS error codes as text for messages.

#include <cstdint>
#include <string>
#include <string_view>

namespace tally::platform {

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);
//! "what: <system message> (error N)" for a GetLastError()-style code.
std::string win_error(std::string_view what, std::uint32_t code);
//! The same with GetLastError() of the calling thread.
std::string last_error(std::string_view what);

}  // namespace tally::platform
