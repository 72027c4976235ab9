// A realistic month (see month_profile.h).

#include "bench/month/month_profile.h"

#include <algorithm>

namespace tally::bench {
namespace {

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

pairing::UserActivity user(std::string principal, bool local, std::uint32_t minutes) {
    return {std::move(principal), local, "console", minutes};
}

void sort_users(std::vector<pairing::UserActivity>& users) {
    std::sort(users.begin(), users.end(), [](const auto& a, const auto& b) {
        return a.principal != b.principal ? a.principal < b.principal : a.local < b.local;
    });
}

}  // namespace

std::uint64_t MonthFleet::hash(std::size_t device, std::uint64_t a, std::uint64_t b) const {
    return splitmix(splitmix(splitmix(seed_ ^ device) ^ a) ^ b);
}

bool MonthFleet::weekday(std::size_t day) const {
    // 1970-01-01 was a Thursday (weekday 3 counting from Monday = 0).
    const auto days_since_epoch = month_start_ / 86400 + static_cast<std::int64_t>(day);
    return (days_since_epoch + 3) % 7 < 5;
}

DeviceKind MonthFleet::kind(std::size_t device) const {
    const auto r = device * 13 % 20;  // 13 is prime to 20: any 20 devices hold every kind
    if (r < 12) {
        return DeviceKind::office;
    }
    if (r < 15) {
        return DeviceKind::shift;
    }
    if (r < 17) {
        return DeviceKind::idle;
    }
    return DeviceKind::server;
}

const char* MonthFleet::role(std::size_t device) const {
    return kind(device) == DeviceKind::server ? "server" : "workstation";
}

SlotActivity MonthFleet::office(std::size_t device, std::size_t day, std::size_t m) const {
    SlotActivity a;
    const auto h = hash(device, day, 1);
    if (weekday(day) && h % 100 >= 6) {
        const std::size_t arrive = 8 * 60 + (h >> 8) % 19 * 5;        // 08:00–09:30
        const std::size_t leave = 16 * 60 + 30 + (h >> 16) % 19 * 5;  // 16:30–18:00
        const bool lunch = m >= 12 * 60 && m < 13 * 60;
        if (m >= arrive && m < leave && !lunch) {
            const auto s = hash(device, day, 1000 + m);
            const std::uint32_t minutes = s % 10 == 0 ? 0 : s % 10 < 3 ? 2 + s % 3 : 5;
            if (minutes > 0) {
                a.users.push_back(
                    user("u" + std::to_string(device) + "@corp.example", false, minutes));
            }
        }
    }
    // IT rounds: the local itadmin account one day a week, 5–15 minutes after 10:00.
    const auto it = hash(device, day / 7, 2);
    if (day % 7 == it % 5 && m >= 10 * 60 && m < 10 * 60 + 5 * (1 + it % 3)) {
        a.users.push_back(user("itadmin", true, 5));
    }
    for (const auto& u : a.users) {
        a.device_minutes = std::max(a.device_minutes, u.active_minutes);
    }
    sort_users(a.users);
    return a;
}

SlotActivity MonthFleet::shift(std::size_t device, std::size_t day, std::size_t m) const {
    SlotActivity a;
    // The shift running at minute m (a night shift that started yesterday counts for it).
    const std::size_t shift = m < 6 * 60 ? 2 : m < 14 * 60 ? 0 : m < 22 * 60 ? 1 : 2;
    const std::size_t shift_day = m < 6 * 60 && day > 0 ? day - 1 : day;
    const auto on_duty = (shift_day + shift * 2 + device) % 7 < 5;
    if (on_duty) {
        const auto s = hash(device, day, 3000 + m);
        const std::uint32_t minutes = s % 4 == 0 ? 1 + s % 4 : 4 + s % 2;
        const std::string name = "shift" + std::to_string(device) + "-" +
                                 std::string(1, static_cast<char>('a' + shift)) + "@corp.example";
        a.users.push_back(user(name, false, minutes));
        a.device_minutes = minutes;
    }
    return a;
}

SlotActivity MonthFleet::server(std::size_t device, std::size_t day, std::size_t m) const {
    SlotActivity a;
    if (!weekday(day)) {
        return a;
    }
    const auto h = hash(device, day, 4);
    const std::size_t sessions = 1 + h % 2;
    for (std::size_t i = 0; i < sessions; ++i) {
        const auto k = hash(device, day, 5 + i);
        const std::size_t begin = (8 + k % 10) * 60 + (k >> 8) % 12 * 5;
        const std::size_t length = 10 + (k >> 16) % 5 * 5;  // 10–30 min
        if (m >= begin && m < begin + length) {
            const bool root = (k >> 24) % 3 == 0;
            a.users.push_back(root ? user("root", true, 5) : user("admin@corp.example", false, 5));
        }
    }
    sort_users(a.users);
    a.users.erase(std::unique(a.users.begin(), a.users.end()), a.users.end());
    a.device_minutes = a.users.empty() ? 0 : 5;
    return a;
}

SlotActivity MonthFleet::activity(std::size_t device, std::size_t slot) const {
    const auto day = slot / kSlotsPerDay;
    const auto minute = slot % kSlotsPerDay * 5;
    switch (kind(device)) {
        case DeviceKind::office:
            return office(device, day, minute);
        case DeviceKind::shift:
            return shift(device, day, minute);
        case DeviceKind::server:
            return server(device, day, minute);
        case DeviceKind::idle:
            break;
    }
    return {};
}

}  // namespace tally::bench
