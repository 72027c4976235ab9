#pragma once
// What the OS sees of interactive sessions right now. Implemented in platform/<os>/; the
// portable core (agent/activity/) turns samples into verdicts and active minutes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tally::agent {

enum class SessionKind { console, x11, wayland, tty, ssh, rdp, other };
enum class SessionClass { user, greeter, lock_screen, manager, background, unknown };

const char* to_string(SessionKind k);
const char* to_string(SessionClass c);

//! One session as the platform reports it. Facts only, no verdict.
struct SessionSample {
    std::string id;    //!< logind session id, utmp line, WTS session id
    std::string user;  //!< account name as the OS shows it
    std::optional<std::uint32_t> uid;
    std::string principal;        //!< "alice", "alice@REALM", "DOMAIN\\alice"
    bool local_account = true;    //!< false for directory (SSSD/winbind/AD) accounts
    bool system_account = false;  //!< below UID_MIN, nologin shell, service account
    SessionKind kind = SessionKind::other;
    SessionClass session_class = SessionClass::user;
    std::string state;                   //!< "active", "online", "closing", "disconnected", ...
    std::optional<std::int64_t> idle_s;  //!< seconds since last input; nullopt: unknown
    std::string idle_source;             //!< "tty-atime", "logind-idle-hint", "wts", "hid", "none"
    std::optional<bool> locked;          //!< nullopt: the session gives no lock signal
    std::string tty;
    std::string remote_host;
    std::string seat;
    std::string source;  //!< "logind", "utmp", "wts", "iokit"
};

class ActivitySource {
  public:
    virtual ~ActivitySource() = default;
    //! The interactive sessions now. Never throws; a source that cannot read says so in
    //! last_error() and returns what it could.
    virtual std::vector<SessionSample> sessions() = 0;
    //! Short name for status and probe, e.g. "logind+tty-atime", "utmp".
    virtual std::string name() const = 0;
    virtual std::string last_error() const { return {}; }
};

}  // namespace tally::agent
