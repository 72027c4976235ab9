// The canonical heartbeat encoder and its strict decoder (PROTOCOL.md §3).

#include "pairing/heartbeat.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/json_strict.h"
#include "pairing/time_format.h"
#include "pairing/wire_fast.h"

namespace tally::pairing {
namespace {

using detail::FieldReader;

constexpr std::size_t kMaxUsers = 1024;
constexpr const char* kKinds[] = {"console", "x11", "wayland", "tty", "ssh", "rdp", "other"};

// A JSON string exactly as nlohmann::json::dump() writes it (invalid UTF-8 becomes U+FFFD).
std::string quoted(const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool user_less(const UserActivity& a, const UserActivity& b) {
    return a.principal != b.principal ? a.principal < b.principal : a.local < b.local;
}

bool is_lower_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::uint64_t max_minutes(std::int64_t start, std::int64_t end) {
    return static_cast<std::uint64_t>((end - start + 59) / 60);
}

}  // namespace

const std::string kGenesisPrev(64, '0');

std::string encode_heartbeat(const Heartbeat& hb) {
    std::vector<UserActivity> users = hb.users;
    std::stable_sort(users.begin(), users.end(), user_less);
    std::string out;
    out.reserve(256 + users.size() * 96);
    out += "{\"seq\":" + std::to_string(hb.seq);
    out += ",\"start\":\"" + format_rfc3339(hb.start) + "\"";
    out += ",\"end\":\"" + format_rfc3339(hb.end) + "\"";
    out += ",\"boot_id\":" + quoted(hb.boot_id);
    out += ",\"uptime_s\":" + std::to_string(hb.uptime_s);
    out += ",\"device_active_minutes\":" + std::to_string(hb.device_active_minutes);
    out += ",\"users\":[";
    for (std::size_t i = 0; i < users.size(); ++i) {
        const UserActivity& u = users[i];
        if (i > 0)
            out += ',';
        out += "{\"principal\":" + quoted(u.principal);
        out += std::string(",\"local\":") + (u.local ? "true" : "false");
        out += ",\"kind\":" + quoted(u.kind);
        out += ",\"active_minutes\":" + std::to_string(u.active_minutes) + "}";
    }
    out += "],\"prev\":" + quoted(hb.prev) + "}";
    return out;
}

Result<Heartbeat> detail::decode_heartbeat_reference(std::string_view bytes) {
    auto parsed = detail::parse_json_strict(bytes, "heartbeat");
    if (!parsed)
        return parsed.error();
    const nlohmann::json& doc = *parsed;

    FieldReader r(doc, "heartbeat");
    r.reject_unknown(
        {"seq", "start", "end", "boot_id", "uptime_s", "device_active_minutes", "users", "prev"});
    Heartbeat hb;
    hb.seq = r.u64("seq", 1);
    hb.start = r.time("start", true);
    hb.end = r.time("end", true);
    if (r.ok() && hb.end <= hb.start)
        r.fail("end", "must be after start");
    hb.boot_id = r.str("boot_id", 0, 128);
    hb.uptime_s = r.u64("uptime_s");
    const std::uint64_t limit = r.ok() ? max_minutes(hb.start, hb.end) : 0;
    hb.device_active_minutes = r.u32("device_active_minutes");
    if (r.ok() && hb.device_active_minutes > limit) {
        r.fail("device_active_minutes",
               "exceeds the " + std::to_string(limit) + " minutes between start and end");
    }
    const nlohmann::json* users = r.array("users", kMaxUsers);
    hb.prev = r.str("prev", 64, 64);
    if (r.ok() && !is_lower_hex(hb.prev))
        r.fail("prev", "expected 64 lower-case hex digits");
    if (!r.ok())
        return r.error();

    for (std::size_t i = 0; i < users->size(); ++i) {
        FieldReader u((*users)[i], "heartbeat.users[" + std::to_string(i) + "]");
        u.reject_unknown({"principal", "local", "kind", "active_minutes"});
        UserActivity ua;
        ua.principal = u.str("principal", 1, 256);
        ua.local = u.boolean("local");
        ua.kind = u.str("kind", 1, 16);
        if (u.ok() &&
            std::find(std::begin(kKinds), std::end(kKinds), ua.kind) == std::end(kKinds)) {
            u.fail("kind",
                   "must be console, x11, wayland, tty, ssh, rdp or other (got '" + ua.kind + "')");
        }
        ua.active_minutes = u.u32("active_minutes");
        if (u.ok() && ua.active_minutes > limit) {
            u.fail("active_minutes",
                   "exceeds the " + std::to_string(limit) + " minutes between start and end");
        }
        if (u.ok() && !hb.users.empty() && !user_less(hb.users.back(), ua)) {
            u.fail("principal", "users must be sorted by principal, each (principal, local) once");
        }
        if (!u.ok())
            return u.error();
        hb.users.push_back(std::move(ua));
    }
    return hb;
}

Result<Heartbeat> decode_heartbeat(std::string_view bytes) {
    if (auto hb = detail::decode_heartbeat_fast(bytes))
        return std::move(*hb);
    return detail::decode_heartbeat_reference(bytes);
}

std::string chain_hash(std::string_view heartbeat_bytes) {
    return hex_encode(sha256(heartbeat_bytes));
}

}  // namespace tally::pairing
