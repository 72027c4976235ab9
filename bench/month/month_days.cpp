// The realistic month's heartbeats per device-day (see month_days.h).

#include "bench/month/month_days.h"

#include "pairing/crypto.h"
#include "pairing/heartbeat.h"

namespace tally::bench {

// As tally-bench-month's make_month_batch makes them.
std::vector<server::AcceptedHeartbeat> day_heartbeats(const MonthFleet& fleet, std::size_t device,
                                                      std::size_t day, std::uint64_t& seq,
                                                      std::string& prev) {
    std::vector<server::AcceptedHeartbeat> out;
    out.reserve(MonthFleet::kSlotsPerDay);
    const auto first = day * MonthFleet::kSlotsPerDay;
    for (std::size_t slot = first; slot < first + MonthFleet::kSlotsPerDay; ++slot) {
        auto activity = fleet.activity(device, slot);
        pairing::Heartbeat hb;
        hb.seq = seq++;
        hb.start = fleet.slot_start(slot);
        hb.end = hb.start + MonthFleet::kSlotSeconds;
        hb.boot_id = "6c1f0b7e-2a44-4d0e-9a51-3f8e2d7c9b10";
        hb.uptime_s = 3600 + slot * MonthFleet::kSlotSeconds;
        hb.device_active_minutes = activity.device_minutes;
        hb.users = std::move(activity.users);
        hb.prev = prev;
        server::AcceptedHeartbeat a;
        a.bytes = pairing::encode_heartbeat(hb);
        prev = pairing::chain_hash(a.bytes);
        a.decoded = std::move(hb);
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace tally::bench
