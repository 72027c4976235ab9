#pragma once
// An optional time (seconds since the epoch) in 8 bytes, where std::optional<std::int64_t>
// takes 16: a report at 100,000 devices holds two per user of every device (~200,000).
// std::numeric_limits<std::int64_t>::min() stands for "none"; no stored time is that far back.

#include <cstdint>
#include <limits>
#include <optional>

namespace tally::server {

class OptionalTime {
  public:
    constexpr OptionalTime() = default;
    constexpr OptionalTime(std::nullopt_t) {}
    constexpr OptionalTime(std::int64_t t) : t_(t) {}

    constexpr bool has_value() const { return t_ != kNone; }
    constexpr explicit operator bool() const { return has_value(); }
    //! The time; only when has_value().
    constexpr std::int64_t operator*() const { return t_; }
    constexpr std::int64_t value_or(std::int64_t otherwise) const {
        return has_value() ? t_ : otherwise;
    }

  private:
    static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();
    std::int64_t t_ = kNone;
};

}  // namespace tally::server
