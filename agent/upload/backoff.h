#pragma once
// Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random
// time in [0, min(cap, base * 2^n)]. Retry-After from the server wins when it is given.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace tally::agent {

class Backoff {
  public:
    //! `random01` returns a uniform value in [0, 1); injectable for tests.
    Backoff(std::chrono::seconds base = std::chrono::seconds(5),
            std::chrono::seconds cap = std::chrono::seconds(3600),
            std::function<double()> random01 = {});

    //! Records a failure and returns how long to wait before the next attempt.
    std::chrono::milliseconds next_delay(std::optional<std::chrono::seconds> retry_after = {});
    //! The wait for a failure that retrying soon cannot fix (other 4xx): the cap.
    std::chrono::milliseconds cap_delay();
    void reset() { failures_ = 0; }
    std::uint32_t failures() const { return failures_; }
    std::chrono::seconds cap() const { return cap_; }

  private:
    std::chrono::seconds base_;
    std::chrono::seconds cap_;
    std::function<double()> random01_;
    std::uint32_t failures_ = 0;
};

//! Parses a Retry-After header given in seconds (HTTP dates are not used by Tally servers).
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value);

}  // namespace tally::agent
