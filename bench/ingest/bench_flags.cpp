// Command-line flags shared by the bench programs (see bench_flags.h).

#include "bench/ingest/bench_flags.h"

namespace tally::bench {

std::optional<std::map<std::string, std::string>> read_flags(int argc, char** argv,
                                                             std::string& err) {
    std::map<std::string, std::string> flags;
    for (int i = 1; i < argc; i += 2) {
        const std::string k = argv[i];
        if (k.rfind("--", 0) != 0 || i + 1 >= argc) {
            err = "bad argument " + k;
            return std::nullopt;
        }
        flags[k.substr(2)] = argv[i + 1];
    }
    return flags;
}

void split_url(const std::string& url, std::string& host, int& port) {
    const auto hostport = url.substr(url.find("://") + 3);
    host = hostport.substr(0, hostport.rfind(':'));
    port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
}

}  // namespace tally::bench
