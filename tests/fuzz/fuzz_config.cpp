// Fuzz: agent config parsing. The first byte picks the source: the JSON file or TALLY_*
// environment variables (lines KEY=VALUE). Any input must give a Config or a clear error.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "agent/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    static const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("tally-fuzz-config-" + std::to_string(getpid()));
    std::map<std::string, std::string> env;
    bool use_file = (data[0] & 1) == 0;
    if (use_file) {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    } else {
        std::size_t start = 0;
        while (start <= text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string::npos)
                end = text.size();
            auto line = text.substr(start, end - start);
            auto eq = line.find('=');
            if (eq != std::string::npos)
                env["TALLY_" + line.substr(0, eq)] = line.substr(eq + 1);
            start = end + 1;
        }
    }
    auto config =
        tally::agent::load_config(use_file ? file : std::filesystem::path(), use_file, env);
    if (!config && config.error().message.empty())
        __builtin_trap();  // every refusal must say why
    return 0;
}
