#pragma once
// A realistic month of one fleet, deterministic from a seed: for every device and every
// 5-minute slot (a heartbeat every 300 s: 288 a day, 8,640 in 30 days), how many minutes the
// device was active and which users were, with how many minutes. Kinds of device:
//  * office (60 %): one directory user, Monday–Friday, arriving 08:00–09:30 and leaving
//    16:30–18:00 (per day), a lunch break 12:00–13:00, ~6 % days off, a few idle slots;
//  * shift (15 %): a shared device, three users in 8-hour shifts (06, 14, 22 h), each user
//    working 5 days out of 7;
//  * idle (10 %): on all month, never used (heartbeats with 0 minutes);
//  * server (15 %): role server; on weekdays one or two short admin sessions (10–30 min) by a
//    directory admin or the local `root`;
//  * local accounts on many devices: the local `itadmin` account on every office device for
//    5–15 minutes one day a week (IT rounds).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pairing/heartbeat.h"

namespace tally::bench {

enum class DeviceKind { office, shift, idle, server };

struct SlotActivity {
    std::uint32_t device_minutes = 0;
    std::vector<pairing::UserActivity> users;  //!< sorted by (principal, local), minutes > 0
};

class MonthFleet {
  public:
    static constexpr std::int64_t kSlotSeconds = 300;
    static constexpr std::size_t kSlotsPerDay = 86400 / kSlotSeconds;

    MonthFleet(std::int64_t month_start, std::size_t days, std::uint64_t seed)
        : month_start_(month_start), days_(days), seed_(seed) {}

    std::size_t slots() const { return days_ * kSlotsPerDay; }
    std::int64_t slot_start(std::size_t slot) const {
        return month_start_ + static_cast<std::int64_t>(slot) * kSlotSeconds;
    }
    DeviceKind kind(std::size_t device) const;
    const char* role(std::size_t device) const;
    SlotActivity activity(std::size_t device, std::size_t slot) const;

  private:
    std::uint64_t hash(std::size_t device, std::uint64_t a, std::uint64_t b) const;
    SlotActivity office(std::size_t device, std::size_t day, std::size_t minute_of_day) const;
    SlotActivity shift(std::size_t device, std::size_t day, std::size_t minute_of_day) const;
    SlotActivity server(std::size_t device, std::size_t day, std::size_t minute_of_day) const;
    bool weekday(std::size_t day) const;

    std::int64_t month_start_;
    std::size_t days_;
    std::uint64_t seed_;
};

}  // namespace tally::bench
