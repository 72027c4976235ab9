// Reads /proc/<pid>/stat and /proc/<pid>/status (see proc_stats.h).

#include "bench/ingest/proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace tally::bench {

std::optional<ProcSample> sample_process(int pid) {
    const std::string base = "/proc/" + std::to_string(pid);
    std::ifstream stat(base + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return std::nullopt;
    }
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    ProcSample s;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14 || i == 15) {
            s.cpu_s += std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
        }
    }
    std::ifstream status(base + "/status");
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            s.rss_kb = std::stoull(line.substr(6));
        } else if (line.rfind("VmHWM:", 0) == 0) {
            s.hwm_kb = std::stoull(line.substr(6));
        }
    }
    return s;
}

}  // namespace tally::bench
