// Full-jitter exponential backoff (see backoff.h).

#include "agent/upload/backoff.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>

namespace tally::agent {

Backoff::Backoff(std::chrono::seconds base, std::chrono::seconds cap,
                 std::function<double()> random01)
    : base_(base), cap_(cap), random01_(std::move(random01)) {
    if (!random01_) {
        auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
        random01_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
    }
}

std::chrono::milliseconds Backoff::next_delay(std::optional<std::chrono::seconds> retry_after) {
    std::uint32_t n = failures_++;
    if (retry_after) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::clamp(*retry_after, std::chrono::seconds(0), cap_));
    }
    // base * 2^n without overflow: stop doubling once past the cap.
    double ceiling_ms = static_cast<double>(base_.count()) * 1000.0;
    const double cap_ms = static_cast<double>(cap_.count()) * 1000.0;
    for (std::uint32_t i = 0; i < n && ceiling_ms < cap_ms; ++i)
        ceiling_ms *= 2;
    ceiling_ms = std::min(ceiling_ms, cap_ms);
    double r = std::clamp(random01_(), 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(r * ceiling_ms));
}

std::chrono::milliseconds Backoff::cap_delay() {
    failures_++;
    return std::chrono::duration_cast<std::chrono::milliseconds>(cap_);
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value) {
    if (value.empty() || value.size() > 9)
        return std::nullopt;
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    return std::chrono::seconds(std::stoll(value));
}

}  // namespace tally::agent
