// SessionSample ⇄ probe JSON (see session_json.h).

#include "agent/activity/session_json.h"

#include <array>

namespace tally::agent {
namespace {

using nlohmann::json;

template <typename T>
json optional_json(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

constexpr std::array kKinds = {SessionKind::console, SessionKind::x11, SessionKind::wayland,
                               SessionKind::tty,     SessionKind::ssh, SessionKind::rdp,
                               SessionKind::other};
constexpr std::array kClasses = {SessionClass::user,        SessionClass::greeter,
                                 SessionClass::lock_screen, SessionClass::manager,
                                 SessionClass::background,  SessionClass::unknown};

template <typename E, std::size_t N>
std::optional<E> parse_enum(const std::array<E, N>& all, const std::string& text) {
    for (E e : all) {
        if (text == to_string(e))
            return e;
    }
    return std::nullopt;
}

}  // namespace

json session_to_json(const SessionSample& s, const Verdict& v) {
    return json{
        {"id", s.id},
        {"user", s.user},
        {"principal", s.principal},
        {"uid", optional_json(s.uid)},
        {"local", s.local_account},
        {"system_account", s.system_account},
        {"kind", to_string(s.kind)},
        {"class", to_string(s.session_class)},
        {"state", s.state},
        {"idle_s", optional_json(s.idle_s)},
        {"idle_source", s.idle_source},
        {"locked", optional_json(s.locked)},
        {"tty", s.tty},
        {"remote_host", s.remote_host},
        {"seat", s.seat},
        {"source", s.source},
        {"verdict", to_string(v.kind)},
        {"reason", v.reason},
    };
}

Result<SessionSample> session_from_json(const json& j) {
    if (!j.is_object())
        return make_error("bad_session", "a session must be a JSON object");
    SessionSample s;
    std::string field;
    try {
        field = "id";
        s.id = j.value("id", "");
        field = "user";
        s.user = j.value("user", "");
        field = "principal";
        s.principal = j.value("principal", s.user);
        field = "uid";
        if (j.contains("uid") && !j["uid"].is_null())
            s.uid = j["uid"].get<std::uint32_t>();
        field = "local";
        s.local_account = j.value("local", true);
        field = "system_account";
        s.system_account = j.value("system_account", false);
        field = "kind";
        auto kind = parse_enum(kKinds, j.value("kind", "other"));
        if (!kind)
            return make_error("bad_session", "unknown session kind in field kind");
        s.kind = *kind;
        field = "class";
        auto cls = parse_enum(kClasses, j.value("class", "user"));
        if (!cls)
            return make_error("bad_session", "unknown session class in field class");
        s.session_class = *cls;
        field = "state";
        s.state = j.value("state", "");
        field = "idle_s";
        if (j.contains("idle_s") && !j["idle_s"].is_null()) {
            s.idle_s = j["idle_s"].get<std::int64_t>();
        }
        field = "idle_source";
        s.idle_source = j.value("idle_source", "");
        field = "locked";
        if (j.contains("locked") && !j["locked"].is_null())
            s.locked = j["locked"].get<bool>();
        field = "tty";
        s.tty = j.value("tty", "");
        field = "remote_host";
        s.remote_host = j.value("remote_host", "");
        field = "seat";
        s.seat = j.value("seat", "");
        field = "source";
        s.source = j.value("source", "");
    } catch (const json::exception& e) {
        return make_error("bad_session", "field " + field + ": " + e.what());
    }
    return s;
}

}  // namespace tally::agent
