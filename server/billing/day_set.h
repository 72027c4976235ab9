#pragma once
// Distinct local days of a device or a user over a report's window (issue 20: 280,000 sets
// at 100,000 devices). A month has at most 31 local days: a base day and a 40-bit mask, packed
// in one 64-bit word (16 bytes a set with its fallback pointer, not 24), hold them with no
// allocation; a day outside [base, base + 40) (a window wider than that, or a day before the
// first one inserted) goes to a sorted fallback vector.

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
        return static_cast<std::size_t>(std::popcount(mask())) + (rest_ ? rest_->size() : 0);
    }
    void release() {
        bits_ = 0;
        rest_.reset();
    }

  private:
    static constexpr unsigned kMaskBits = 40;
    static constexpr std::uint64_t kMaskAll = (std::uint64_t{1} << kMaskBits) - 1;
    //! A base fits the 24 bits above the mask: |day| < 2^23 (±23,000 years from 1970).
    static constexpr std::int64_t kBaseLimit = std::int64_t{1} << (63 - kMaskBits);

    std::uint64_t mask() const { return bits_ & kMaskAll; }
    std::int64_t base() const { return static_cast<std::int64_t>(bits_) >> kMaskBits; }
    //! Before the first insert (and after release): the base becomes `day` when it fits.
    void start_at(std::int64_t day);
    void insert_rest(std::int64_t day);

    //! The base day (signed, high 24 bits) and the mask (low 40 bits: bit i is base + i).
    std::uint64_t bits_ = 0;
    std::unique_ptr<std::vector<std::int64_t>> rest_;  //!< days outside the mask, sorted
};

}  // namespace tally::server::billing
