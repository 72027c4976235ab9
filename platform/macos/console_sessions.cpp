// The macOS session rules (console_sessions.h).

#include "platform/macos/console_sessions.h"

namespace tally::platform {

std::optional<std::uint32_t> console_uid(std::uint32_t written) {
    if (written == kUnsetConsoleUid)
        return std::nullopt;
    return written;
}

bool is_console_user(const std::optional<std::string>& user) {
    return user && !user->empty() && *user != kLoginWindowUser;
}

std::optional<agent::SessionSample> console_session(const ConsoleFacts& facts,
                                                    const AccountFiller& fill_account) {
    if (!is_console_user(facts.user))
        return std::nullopt;
    agent::SessionSample s;
    s.user = *facts.user;
    if (fill_account)
        fill_account(s);
    // The dynamic store's uid is the one loginwindow logged in; it wins over a name lookup.
    if (facts.uid)
        s.uid = facts.uid;
    s.id = kConsoleLine;
    s.kind = agent::SessionKind::console;
    s.session_class = agent::SessionClass::user;
    s.state = "active";
    s.seat = kConsoleLine;
    s.tty = kConsoleLine;
    s.idle_s = facts.hid_idle_s;
    s.idle_source = facts.hid_idle_s ? "hid" : "none";
    // A LaunchDaemon cannot see the screen lock (README.md, "Screen lock"): no lock signal.
    s.locked = std::nullopt;
    s.source = "scdynamicstore+iokit";
    return s;
}

std::vector<agent::SessionSample> macos_sessions(const ConsoleFacts& facts,
                                                 std::vector<agent::SessionSample> utmpx,
                                                 const AccountFiller& fill_account) {
    std::vector<agent::SessionSample> out;
    auto console = console_session(facts, fill_account);
    if (console)
        out.push_back(std::move(*console));
    for (auto& s : utmpx) {
        if (s.tty == kConsoleLine) {
            if (console && s.user == *facts.user)
                continue;  // the console session above already stands for this login
            // Logged in at the GUI but not in front: switched out (or the login window is
            // in front). HIDIdleTime is not theirs, and they cannot be typing.
            s.kind = agent::SessionKind::console;
            s.session_class = agent::SessionClass::background;
            s.state = "online";
            s.idle_s = std::nullopt;
            s.idle_source = "none";
            s.id = "console:" + s.user;
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace tally::platform
