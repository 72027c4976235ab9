#pragma once
// What WTS says about one session, decoded, and the pure mapping to a SessionSample (unit
// tested on values recorded from real Windows; see tests/unit/platform_windows/).

#include <cstdint>
#include <optional>
#include <string>

#include "agent/interfaces/activity_source.h"

namespace tally::platform {

enum class WtsState {
    active,
    connected,
    connect_query,
    shadow,
    disconnected,
    idle,
    listen,
    reset,
    down,
    init
};

struct WtsSessionFacts {
    std::uint32_t id = 0;
    WtsState state = WtsState::active;
    std::string station;  //!< WinStationName: "Console", "RDP-Tcp#3", "Services"
    std::string user;
    std::string domain;
    std::string computer;                  //!< NetBIOS name of this machine
    std::optional<std::string> upn;        //!< when domain-joined and resolvable
    std::int32_t session_flags = -1;       //!< WTSINFOEX_LEVEL1_W::SessionFlags
    std::int64_t last_input_filetime = 0;  //!< UTC, 100 ns since 1601; 0: none
    std::int64_t current_filetime = 0;     //!< UTC "now" as WTS reported it
    std::uint16_t protocol = 0;            //!< WTSClientProtocolType: 0 console, 2 RDP
    bool windows7_family = false;          //!< 6.1: lock flags are inverted
};

//! SessionFlags → locked: LOCK=0, UNLOCK=1 (swapped on Windows 7 / Server 2008 R2),
//! UNKNOWN (-1) or anything else → nullopt.
std::optional<bool> wts_locked(std::int32_t session_flags, bool windows7_family);

//! nullopt for sessions that are not sessions to judge at all (listeners, down, init).
std::optional<agent::SessionSample> sample_from_wts(const WtsSessionFacts& f);

//! A session where a user is signed in (connected or not), not session 0: where a session
//! reporter runs.
bool has_signed_in_user(const WtsSessionFacts& f);

const char* to_string(WtsState s);

}  // namespace tally::platform
