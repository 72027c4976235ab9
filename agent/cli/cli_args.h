#pragma once
// Command-line parsing for tally-agent (DESIGN.md §6). Usage errors are values; main turns
// them into exit code 64.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pairing/result.h"

namespace tally::agent {

inline constexpr int kExitUsage = 64;

enum class Command { run, pair, status, probe, retire, report, export_bundle, version, help };

struct CliArgs {
    Command command = Command::help;
    std::optional<std::filesystem::path> config_path;
    std::optional<std::filesystem::path> state_dir;
    bool json = false;
    bool standalone = false;
    bool service = false;  //!< run --service: started by the Windows SCM (platform handles it)
    std::string server;
    std::string code;
    std::string ca_file;
    std::string device_type;
    std::optional<std::int64_t> wait_s;  //!< pair --wait SECONDS (default 300)
    std::string month;                   //!< report/export: YYYY-MM
    std::string from;                    //!< export: YYYY-MM-DD (UTC, inclusive)
    std::string to;                      //!< export: YYYY-MM-DD (UTC, inclusive)
    std::string output;                  //!< export: -o FILE
};

Result<CliArgs> parse_args(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace tally::agent
