#pragma once
// CPU seconds and resident memory of another process, from /proc/<pid>/stat and status.

#include <cstdint>
#include <optional>

namespace tally::bench {

struct ProcSample {
    double cpu_s = 0;          //!< user + system CPU seconds so far
    std::uint64_t rss_kb = 0;  //!< VmRSS
    std::uint64_t hwm_kb = 0;  //!< VmHWM (peak RSS)
};

std::optional<ProcSample> sample_process(int pid);

}  // namespace tally::bench
