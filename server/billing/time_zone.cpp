// TZif reading and local-time arithmetic (see time_zone.h; format: RFC 8536).

#include "server/billing/time_zone.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "pairing/time_format.h"

namespace tally::server::billing {
namespace {

std::int64_t be(std::string_view b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    }
    if (n == 4) {
        return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    }
    return static_cast<std::int64_t>(v);
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '/' ||
        name.find("..") != std::string_view::npos) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '+';
    });
}

bool parse_int(std::string_view text, int& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<TimeZone> TimeZone::load(std::string_view name, const std::string& zoneinfo_dir) {
    if (!valid_name(name)) {
        return make_error("bad_request", "'" + std::string(name) + "' is not a time zone name");
    }
    if (name == "UTC") {
        return TimeZone();
    }
    std::ifstream in(zoneinfo_dir + "/" + std::string(name), std::ios::binary);
    if (!in) {
        return make_error("bad_request", "unknown time zone '" + std::string(name) + "'");
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    return parse(name, bytes.str());
}

Result<TimeZone> TimeZone::parse(std::string_view name, std::string_view b) {
    const auto bad = [&] {
        return make_error("bad_request", "'" + std::string(name) + "' is not a TZif file");
    };
    constexpr std::size_t kHeader = 44;
    if (b.size() < kHeader || b.substr(0, 4) != "TZif") {
        return bad();
    }
    const auto counts = [&](std::size_t at, std::int64_t c[6]) {
        for (int i = 0; i < 6; ++i) {
            c[i] = be(b, at + 20 + 4 * static_cast<std::size_t>(i), 4);
        }
    };
    std::int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
    counts(0, c);
    std::size_t at = 0;
    std::size_t time_size = 4;
    if (b[4] >= '2') {
        // Skip the v1 block; the v2 block repeats the data with 64-bit times.
        const auto v1 =
            static_cast<std::size_t>(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
        at = kHeader + v1;
        if (b.size() < at + kHeader || b.substr(at, 4) != "TZif") {
            return bad();
        }
        counts(at, c);
        time_size = 8;
    }
    at += kHeader;
    const auto timecnt = static_cast<std::size_t>(c[3]);
    const auto typecnt = static_cast<std::size_t>(c[4]);
    if (typecnt == 0 || b.size() < at + timecnt * (time_size + 1) + typecnt * 6) {
        return bad();
    }
    TimeZone tz;
    tz.name_ = std::string(name);
    const auto types_at = at + timecnt * (time_size + 1);
    const auto type_offset = [&](std::size_t i) { return be(b, types_at + i * 6, 4); };
    // RFC 8536 §3.2: local time before the first transition uses type 0.
    tz.initial_offset_ = type_offset(0);
    for (std::size_t i = 0; i < timecnt; ++i) {
        const auto idx = static_cast<unsigned char>(b[at + timecnt * time_size + i]);
        if (idx >= typecnt) {
            return bad();
        }
        tz.transitions_.push_back(be(b, at + i * time_size, time_size));
        tz.offsets_.push_back(type_offset(idx));
    }
    if (!std::is_sorted(tz.transitions_.begin(), tz.transitions_.end())) {
        return bad();
    }
    return tz;
}

std::int64_t TimeZone::offset_at(std::int64_t t) const {
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
    if (it == transitions_.begin()) {
        return initial_offset_;
    }
    return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

std::int64_t TimeZone::utc_of_local(std::int64_t local) const {
    const auto guess = local - offset_at(local);
    return local - offset_at(guess);
}

std::int64_t TimeZone::local_day(std::int64_t t) const {
    const auto local = t + offset_at(t);
    return local >= 0 ? local / 86400 : (local - 86399) / 86400;
}

std::optional<std::int64_t> TimeZone::day_start(std::string_view date) const {
    int y = 0;
    int m = 0;
    int d = 0;
    if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !parse_int(date.substr(0, 4), y) ||
        !parse_int(date.substr(5, 2), m) || !parse_int(date.substr(8, 2), d) || m < 1 || m > 12 ||
        d < 1 || d > 31) {
        return std::nullopt;
    }
    const auto days =
        pairing::days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    return utc_of_local(days * 86400);
}

std::optional<std::pair<std::int64_t, std::int64_t>> TimeZone::month_range(
    std::string_view month) const {
    int y = 0;
    int m = 0;
    if (month.size() != 7 || month[4] != '-' || !parse_int(month.substr(0, 4), y) ||
        !parse_int(month.substr(5, 2), m) || m < 1 || m > 12 || y < 1970 || y > 9998) {
        return std::nullopt;
    }
    const auto first = pairing::days_from_civil(y, static_cast<unsigned>(m), 1);
    const auto next = m == 12 ? pairing::days_from_civil(y + 1, 1, 1)
                              : pairing::days_from_civil(y, static_cast<unsigned>(m + 1), 1);
    return std::make_pair(utc_of_local(first * 86400), utc_of_local(next * 86400));
}

}  // namespace tally::server::billing
