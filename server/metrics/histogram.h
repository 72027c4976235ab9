#pragma once
// A Prometheus histogram of durations in seconds: fixed bucket bounds, lock-free observe()
// (one atomic add per bucket hit, the sum in microseconds), read without stopping writers.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace tally::server::metrics {

class Histogram {
  public:
    //! Upper bounds in seconds (le="..."), the last one before +Inf.
    static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

    void observe(double seconds);
    //! `name`_bucket{le=...}, `name`_sum and `name`_count lines (HELP/TYPE written by the caller).
    void write(std::string& out, std::string_view name) const;

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  //!< last: +Inf
    std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace tally::server::metrics
