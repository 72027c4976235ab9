#pragma once
// Distinct local days of a device or a user over a report's window (issue 20: 280,000 sets
// at 100,000 devices). A month has at most 31 local days: a base day and a 64-bit mask hold
// them with no allocation; a day outside [base, base + 64) (a window wider than that, or a
// day before the first one inserted) goes to a sorted fallback vector.

#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

namespace tally::server::billing {

class DaySet {
  public:
    void insert(std::int64_t day);
    //! Inserts first_day + i for every bit i set in `mask` (a whole-month fact's days).
    void insert_mask(std::int64_t first_day, std::uint32_t mask);
    std::size_t size() const {
        return static_cast<std::size_t>(std::popcount(mask_)) + (rest_ ? rest_->size() : 0);
    }
    void release() {
        mask_ = 0;
        rest_.reset();
    }

  private:
    void insert_rest(std::int64_t day);

    std::int64_t base_ = 0;  //!< bit i of mask_ is day base_ + i (set by the first insert)
    std::uint64_t mask_ = 0;
    std::unique_ptr<std::vector<std::int64_t>> rest_;  //!< days outside the mask, sorted
};

}  // namespace tally::server::billing
