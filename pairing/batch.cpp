// Batch bodies for POST /v1/heartbeats (PROTOCOL.md §4).

#include "pairing/batch.h"

#include <nlohmann/json.hpp>

#include "pairing/json_strict.h"
#include "pairing/time_format.h"
#include "pairing/wire_fast.h"

namespace tally::pairing {
namespace {
constexpr std::size_t kMaxHeartbeats = 10000;
constexpr std::size_t kMaxHeartbeatBytes = 300000;
constexpr std::size_t kMaxGaps = 10000;
}  // namespace

std::string encode_batch(const Batch& batch) {
    nlohmann::ordered_json doc;
    doc["device_id"] = batch.device_id;
    doc["sent_at"] = format_rfc3339(batch.sent_at);
    doc["heartbeats"] = batch.heartbeats;
    doc["gaps"] = nlohmann::ordered_json::array();
    for (const Gap& g : batch.gaps) {
        nlohmann::ordered_json gap;
        gap["from_seq"] = g.from_seq;
        gap["to_seq"] = g.to_seq;
        gap["reason"] = g.reason;
        doc["gaps"].push_back(std::move(gap));
    }
    return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<Batch> detail::decode_batch_reference(std::string_view json) {
    auto parsed = detail::parse_json_strict(json, "batch");
    if (!parsed)
        return parsed.error();
    detail::FieldReader r(*parsed, "batch");
    r.reject_unknown({"device_id", "sent_at", "heartbeats", "gaps"});
    Batch batch;
    batch.device_id = r.str("device_id", 1, 128);
    batch.sent_at = r.time("sent_at", false);
    const nlohmann::json* heartbeats = r.array("heartbeats", kMaxHeartbeats);
    const nlohmann::json* gaps = r.array("gaps", kMaxGaps);
    if (!r.ok())
        return r.error();

    for (std::size_t i = 0; i < heartbeats->size(); ++i) {
        const auto& hb = (*heartbeats)[i];
        const std::string where = "heartbeats[" + std::to_string(i) + "]";
        if (!hb.is_string())
            r.fail(where, "expected a string (the heartbeat's bytes)");
        else if (hb.get_ref<const std::string&>().size() > kMaxHeartbeatBytes)
            r.fail(where, "longer than " + std::to_string(kMaxHeartbeatBytes) + " bytes");
        if (!r.ok())
            return r.error();
        batch.heartbeats.push_back(hb.get<std::string>());
    }
    for (std::size_t i = 0; i < gaps->size(); ++i) {
        detail::FieldReader g((*gaps)[i], "batch.gaps[" + std::to_string(i) + "]");
        g.reject_unknown({"from_seq", "to_seq", "reason"});
        Gap gap;
        gap.from_seq = g.u64("from_seq", 1);
        gap.to_seq = g.u64("to_seq", 1);
        gap.reason = g.str("reason", 1, 64);
        if (g.ok() && gap.to_seq < gap.from_seq)
            g.fail("to_seq", "must be ≥ from_seq");
        if (!g.ok())
            return g.error();
        batch.gaps.push_back(std::move(gap));
    }
    return batch;
}

Result<Batch> decode_batch(std::string_view json) {
    if (auto batch = detail::decode_batch_fast(json))
        return std::move(*batch);
    return detail::decode_batch_reference(json);
}

}  // namespace tally::pairing
