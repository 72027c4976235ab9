// Duration histogram (see histogram.h).

#include "server/metrics/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tally::server::metrics {

void Histogram::observe(double seconds) {
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) {
        ++i;
    }
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    const double us = std::max(0.0, std::round(seconds * 1e6));
    sum_us_.fetch_add(static_cast<std::uint64_t>(us), std::memory_order_relaxed);
}

void Histogram::write(std::string& out, std::string_view name) const {
    std::uint64_t cumulative = 0;
    char line[160];
    for (std::size_t i = 0; i <= kBounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        if (i < kBounds.size()) {
            std::snprintf(line, sizeof line, "_bucket{le=\"%g\"} %llu\n", kBounds[i],
                          static_cast<unsigned long long>(cumulative));
        } else {
            std::snprintf(line, sizeof line, "_bucket{le=\"+Inf\"} %llu\n",
                          static_cast<unsigned long long>(cumulative));
        }
        out.append(name).append(line);
    }
    std::snprintf(line, sizeof line, "_sum %.6f\n",
                  static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
    out.append(name).append(line);
    std::snprintf(line, sizeof line, "_count %llu\n", static_cast<unsigned long long>(cumulative));
    out.append(name).append(line);
}

}  // namespace tally::server::metrics
