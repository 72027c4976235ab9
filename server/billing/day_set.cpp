// Distinct days as a base day and a bit mask (see day_set.h).

#include "server/billing/day_set.h"

#include <algorithm>

namespace tally::server::billing {

void DaySet::insert(std::int64_t day) {
    if (mask_ == 0 && !rest_) {
        base_ = day;
    }
    if (day >= base_ && day - base_ < 64) {
        mask_ |= std::uint64_t{1} << (day - base_);
    } else {
        insert_rest(day);
    }
}

void DaySet::insert_mask(std::int64_t first_day, std::uint32_t mask) {
    if (mask == 0) {
        return;
    }
    if (mask_ == 0 && !rest_) {
        base_ = first_day;
    }
    if (first_day >= base_ && first_day - base_ <= 32) {
        mask_ |= std::uint64_t{mask} << (first_day - base_);
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
