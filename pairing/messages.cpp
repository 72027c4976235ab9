// Pairing, ack, retire and error bodies (PROTOCOL.md §4-§7). Requests are decoded strictly
// (unknown fields rejected); responses ignore unknown fields so servers can add to them.

#include "pairing/messages.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "pairing/bytes.h"
#include "pairing/json_strict.h"
#include "pairing/time_format.h"

namespace tally::pairing {
namespace {

using detail::FieldReader;
using ojson = nlohmann::ordered_json;

std::string dump(const ojson& doc) {
    return doc.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

void check_one_of(FieldReader& r, const char* key, const std::string& value,
                  std::initializer_list<std::string_view> allowed) {
    if (!r.ok() || std::find(allowed.begin(), allowed.end(), value) != allowed.end())
        return;
    std::string list;
    for (std::string_view a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
    r.fail(key, "must be one of " + list + " (got '" + value + "')");
}

void check_base64url(FieldReader& r, const char* key, const std::string& value, std::size_t bytes) {
    if (!r.ok())
        return;
    const auto decoded = base64url_decode(value);
    if (!decoded || decoded->size() != bytes) {
        r.fail(key, "expected base64url (no padding) of " + std::to_string(bytes) + " bytes");
    }
}

bool is_lower_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string encode_pair_request(const PairRequest& r) {
    ojson doc;
    doc["code"] = r.code;
    doc["public_key"] = r.public_key;
    doc["time"] = format_rfc3339(r.time);
    doc["nonce"] = r.nonce;
    ojson& d = doc["device"];
    d["hostname"] = r.device.hostname;
    d["os"] = r.device.os;
    d["os_version"] = r.device.os_version;
    d["agent_version"] = r.device.agent_version;
    d["device_type"] = r.device.device_type;
    d["role"] = r.device.role;
    d["fingerprint"] = r.device.fingerprint;
    return dump(doc);
}

Result<PairRequest> decode_pair_request(std::string_view json) {
    auto parsed = detail::parse_json_strict(json, "pair request");
    if (!parsed)
        return parsed.error();
    FieldReader r(*parsed, "pair");
    r.reject_unknown({"code", "public_key", "time", "nonce", "device"});
    PairRequest out;
    out.code = r.str("code", 1, 64);
    out.public_key = r.str("public_key", 1, 128);
    check_base64url(r, "public_key", out.public_key, 65);
    out.time = r.time("time", false);
    out.nonce = r.str("nonce", 1, 64);
    check_base64url(r, "nonce", out.nonce, 16);
    const nlohmann::json* device = r.object("device");
    if (!r.ok())
        return r.error();

    FieldReader d(*device, "pair.device");
    d.reject_unknown(
        {"hostname", "os", "os_version", "agent_version", "device_type", "role", "fingerprint"});
    out.device.hostname = d.str("hostname", 1, 255);
    out.device.os = d.str("os", 1, 32);
    out.device.os_version = d.str("os_version", 0, 128);
    out.device.agent_version = d.str("agent_version", 1, 64);
    out.device.device_type = d.str("device_type", 1, 16);
    check_one_of(d, "device_type", out.device.device_type, {"business", "personal"});
    out.device.role = d.str("role", 1, 16);
    check_one_of(d, "role", out.device.role, {"workstation", "server", "kiosk"});
    out.device.fingerprint = d.str("fingerprint", 64, 64);
    if (d.ok() && !is_lower_hex(out.device.fingerprint)) {
        d.fail("fingerprint", "expected 64 lower-case hex digits");
    }
    if (!d.ok())
        return d.error();
    return out;
}

std::string encode_pair_response(const PairResponse& r) {
    ojson doc;
    doc["device_id"] = r.device_id;
    doc["tenant"] = r.tenant;
    doc["server_time"] = format_rfc3339(r.server_time);
    ojson& p = doc["policy"];
    p["sample_interval_s"] = r.policy.sample_interval_s;
    p["heartbeat_interval_s"] = r.policy.heartbeat_interval_s;
    p["upload_interval_s"] = r.policy.upload_interval_s;
    p["idle_threshold_s"] = r.policy.idle_threshold_s;
    doc["acked_through"] = r.acked_through;
    return dump(doc);
}

Result<PairResponse> decode_pair_response(std::string_view json) {
    auto parsed = detail::parse_json_strict(json, "pair response");
    if (!parsed)
        return parsed.error();
    FieldReader r(*parsed, "pair response");
    PairResponse out;
    out.device_id = r.str("device_id", 1, 128);
    out.tenant = r.str("tenant", 1, 128);
    out.server_time = r.time("server_time", false);
    const nlohmann::json* policy = r.object("policy");
    out.acked_through = r.u64("acked_through");
    if (!r.ok())
        return r.error();

    FieldReader p(*policy, "pair response.policy");
    constexpr std::uint32_t kDay = 86400;
    out.policy.sample_interval_s = p.u32("sample_interval_s", 1, kDay);
    out.policy.heartbeat_interval_s = p.u32("heartbeat_interval_s", 1, kDay);
    out.policy.upload_interval_s = p.u32("upload_interval_s", 1, kDay);
    out.policy.idle_threshold_s = p.u32("idle_threshold_s", 1, kDay);
    if (!p.ok())
        return p.error();
    return out;
}

std::string encode_ack(const HeartbeatAck& a) {
    ojson doc;
    doc["acked_through"] = a.acked_through;
    doc["server_time"] = format_rfc3339(a.server_time);
    doc["accepted"] = a.accepted;
    doc["duplicates"] = a.duplicates;
    if (a.out_of_window > 0)
        doc["out_of_window"] = a.out_of_window;
    return dump(doc);
}

Result<HeartbeatAck> decode_ack(std::string_view json) {
    auto parsed = detail::parse_json_strict(json, "ack");
    if (!parsed)
        return parsed.error();
    FieldReader r(*parsed, "ack");
    HeartbeatAck out;
    out.acked_through = r.u64("acked_through");
    out.server_time = r.time("server_time", false);
    out.accepted = r.u32("accepted");
    out.duplicates = r.u32("duplicates");
    if (parsed->contains("out_of_window"))
        out.out_of_window = r.u32("out_of_window");
    if (!r.ok())
        return r.error();
    return out;
}

std::string encode_retire_request(const RetireRequest& r) {
    ojson doc;
    doc["device_id"] = r.device_id;
    doc["time"] = format_rfc3339(r.time);
    doc["reason"] = r.reason;
    return dump(doc);
}

Result<RetireRequest> decode_retire_request(std::string_view json) {
    auto parsed = detail::parse_json_strict(json, "retire request");
    if (!parsed)
        return parsed.error();
    FieldReader r(*parsed, "retire");
    r.reject_unknown({"device_id", "time", "reason"});
    RetireRequest out;
    out.device_id = r.str("device_id", 1, 128);
    out.time = r.time("time", false);
    out.reason = r.str("reason", 1, 64);
    if (!r.ok())
        return r.error();
    return out;
}

std::string encode_error(const ErrorBody& e) {
    ojson doc;
    doc["error"] = e.error;
    doc["message"] = e.message;
    return dump(doc);
}

std::optional<ErrorBody> decode_error(std::string_view json) {
    const auto doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    if (!doc.is_object())
        return std::nullopt;
    const auto error = doc.find("error");
    if (error == doc.end() || !error->is_string())
        return std::nullopt;
    ErrorBody out;
    out.error = error->get<std::string>();
    const auto message = doc.find("message");
    if (message != doc.end() && message->is_string())
        out.message = message->get<std::string>();
    return out;
}

}  // namespace tally::pairing
