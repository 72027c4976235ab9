#pragma once
// The macOS session rules, without any Apple API (unit-tested on Linux): the console user
// from SCDynamicStoreCopyConsoleUser, the system-wide HIDIdleTime and the utmpx records are
// turned into session samples for the portable verdict (agent/activity/verdict.h).
//
// * The console user is the only GUI user who can be typing: HIDIdleTime is system-wide, so
//   it is that user's idle time and nobody else's.
// * "loginwindow" (or no console user) means the login window is in front: no console
//   session at all (the login window never counts).
// * Other GUI logins in utmpx (ut_line "console") are users switched out by fast user
//   switching: reported as background sessions, which never count.
// * Terminal and SSH logins (ut_line "ttys…") keep their tty-atime idle from the POSIX code.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/interfaces/activity_source.h"

namespace tally::platform {

//! The name SCDynamicStoreCopyConsoleUser reports while the login window is in front.
inline constexpr const char* kLoginWindowUser = "loginwindow";
//! utmpx ut_line of a GUI login written by loginwindow.
inline constexpr const char* kConsoleLine = "console";
//! Preset in SCDynamicStoreCopyConsoleUser's uid out-parameter: the function writes it only
//! when the store's console entry has a UID number (configd, SCDConsoleUser.c), so without
//! a preset a missing UID would read as 0, root.
inline constexpr std::uint32_t kUnsetConsoleUid = 0xFFFFFFFFu;

//! The console user's uid from what SCDynamicStoreCopyConsoleUser left in the preset
//! out-parameter; nullopt when it wrote nothing.
std::optional<std::uint32_t> console_uid(std::uint32_t written);

//! What the Apple APIs said this sample; every field may be missing.
struct ConsoleFacts {
    std::optional<std::string> user;  //!< console user name; nullopt: none or unreadable
    std::optional<std::uint32_t> uid;
    std::optional<std::int64_t> hid_idle_s;  //!< seconds since last HID input; nullopt: unknown
};

//! Fills a sample's account fields (name → uid, principal, local, system account).
using AccountFiller = std::function<void(agent::SessionSample&)>;

//! True when `user` names a real console user (not empty, not the login window).
bool is_console_user(const std::optional<std::string>& user);

//! The console session sample, or nullopt when the login window is in front.
std::optional<agent::SessionSample> console_session(const ConsoleFacts& facts,
                                                    const AccountFiller& fill_account);

//! All samples: the console session (if any), then every utmpx sample, with the GUI logins
//! of the console user folded into the console session and the other GUI logins marked
//! background (fast user switching).
std::vector<agent::SessionSample> macos_sessions(const ConsoleFacts& facts,
                                                 std::vector<agent::SessionSample> utmpx,
                                                 const AccountFiller& fill_account);

}  // namespace tally::platform
