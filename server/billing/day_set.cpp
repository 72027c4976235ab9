// Distinct days as a base day and a bit mask (see day_set.h).

#include "server/billing/day_set.h"

#include <algorithm>

namespace tally::server::billing {

void DaySet::start_at(std::int64_t day) {
    if (mask() == 0 && !rest_ && day > -kBaseLimit && day < kBaseLimit) {
        bits_ = static_cast<std::uint64_t>(day) << kMaskBits;
    }
}

void DaySet::insert(std::int64_t day) {
    start_at(day);
    const auto from = base();
    if (day >= from && day - from < static_cast<std::int64_t>(kMaskBits)) {
        bits_ |= std::uint64_t{1} << (day - from);
    } else {
        insert_rest(day);
    }
}

void DaySet::insert_mask(std::int64_t first_day, std::uint32_t mask) {
    if (mask == 0) {
        return;
    }
    start_at(first_day);
    const auto from = base();
    const auto top = static_cast<std::int64_t>(std::bit_width(mask));  // highest bit + 1
    if (first_day >= from && first_day - from + top <= static_cast<std::int64_t>(kMaskBits)) {
        bits_ |= std::uint64_t{mask} << (first_day - from);
        return;
    }
    for (std::int64_t i = 0; mask != 0; ++i, mask >>= 1) {
        if ((mask & 1U) != 0) {
            insert(first_day + i);
        }
    }
}

void DaySet::insert_rest(std::int64_t day) {
    if (!rest_) {
        rest_ = std::make_unique<std::vector<std::int64_t>>();
    }
    const auto it = std::lower_bound(rest_->begin(), rest_->end(), day);
    if (it == rest_->end() || *it != day) {
        rest_->insert(it, day);
    }
}

}  // namespace tally::server::billing
