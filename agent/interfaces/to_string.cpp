// Names of the interface enums, as they appear in probe output, status and logs.

#include "agent/interfaces/activity_source.h"
#include "agent/interfaces/http_transport.h"

namespace tally::agent {

const char* to_string(SessionKind k) {
    switch (k) {
        case SessionKind::console:
            return "console";
        case SessionKind::x11:
            return "x11";
        case SessionKind::wayland:
            return "wayland";
        case SessionKind::tty:
            return "tty";
        case SessionKind::ssh:
            return "ssh";
        case SessionKind::rdp:
            return "rdp";
        case SessionKind::other:
            return "other";
    }
    return "other";
}

const char* to_string(SessionClass c) {
    switch (c) {
        case SessionClass::user:
            return "user";
        case SessionClass::greeter:
            return "greeter";
        case SessionClass::lock_screen:
            return "lock_screen";
        case SessionClass::manager:
            return "manager";
        case SessionClass::background:
            return "background";
        case SessionClass::unknown:
            return "unknown";
    }
    return "unknown";
}

const char* to_string(TransportError e) {
    switch (e) {
        case TransportError::none:
            return "none";
        case TransportError::bad_url:
            return "bad_url";
        case TransportError::resolve:
            return "resolve";
        case TransportError::connect:
            return "connect";
        case TransportError::tls:
            return "tls";
        case TransportError::timeout:
            return "timeout";
        case TransportError::response_too_large:
            return "response_too_large";
        case TransportError::local_config:
            return "local_config";
        case TransportError::other:
            return "other";
    }
    return "other";
}

}  // namespace tally::agent
