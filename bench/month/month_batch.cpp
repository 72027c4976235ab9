// Month batches and totals (see month_batch.h).

#include "bench/month/month_batch.h"

#include <algorithm>
#include <set>

#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"

namespace tally::bench {

SignedBatch make_month_batch(SimDevice& device, const MonthFleet& fleet, std::size_t first,
                             std::size_t count, std::int64_t now) {
    pairing::Batch batch;
    batch.device_id = device.device_id;
    batch.sent_at = now;
    batch.heartbeats.reserve(count);
    for (std::size_t slot = first; slot < first + count; ++slot) {
        auto activity = fleet.activity(device.index, slot);
        pairing::Heartbeat hb;
        hb.seq = device.next_seq++;
        hb.start = fleet.slot_start(slot);
        hb.end = hb.start + MonthFleet::kSlotSeconds;
        hb.boot_id = "6c1f0b7e-2a44-4d0e-9a51-3f8e2d7c9b10";
        hb.uptime_s = 3600 + slot * MonthFleet::kSlotSeconds;
        hb.device_active_minutes = activity.device_minutes;
        hb.users = std::move(activity.users);
        hb.prev = device.prev;
        auto bytes = pairing::encode_heartbeat(hb);
        device.prev = pairing::chain_hash(bytes);
        batch.heartbeats.push_back(std::move(bytes));
    }
    SignedBatch out;
    out.device = device.index;
    out.heartbeats = static_cast<std::uint32_t>(count);
    out.body = pairing::gzip_compress(pairing::encode_batch(batch));
    out.signature = pairing::base64url_encode(device.key.sign(out.body));
    return out;
}

DeviceTotals month_totals(const MonthFleet& fleet, std::size_t device) {
    DeviceTotals t;
    std::set<std::string> users;
    std::set<std::string> local;
    std::set<std::size_t> days;
    for (std::size_t slot = 0; slot < fleet.slots(); ++slot) {
        const auto a = fleet.activity(device, slot);
        ++t.heartbeats;
        t.active_minutes += a.device_minutes;
        if (a.device_minutes > 0) {
            days.insert(slot / MonthFleet::kSlotsPerDay);
        }
        for (const auto& u : a.users) {
            users.insert(u.principal);
            if (u.local) {
                local.insert(u.principal);
            }
        }
    }
    t.active_days = days.size();
    t.users.assign(users.begin(), users.end());
    t.local_users.assign(local.begin(), local.end());
    return t;
}

}  // namespace tally::bench
