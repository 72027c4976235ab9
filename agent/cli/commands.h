#pragma once
// The tally-agent commands. main.cpp parses arguments, loads the config, builds the platform
// parts and calls one of these; each returns the process exit code.

#include <filesystem>
#include <functional>

#include "agent/cli/cli_args.h"
#include "agent/config.h"
#include "agent/interfaces/platform.h"

namespace tally::agent {

struct CliContext {
    Config config;
    std::filesystem::path config_path;
    bool config_explicit = false;
    std::filesystem::path state_dir;
    PlatformParts* parts = nullptr;
    std::function<HostFacts()> host_facts;
};

int run_command(CliContext& ctx);
int pair_command(CliContext& ctx, const CliArgs& args);
int status_command(CliContext& ctx, bool json);
int probe_command(CliContext& ctx, bool json);
int retire_command(CliContext& ctx);
int report_command(CliContext& ctx, const CliArgs& args);
int export_command(CliContext& ctx, const CliArgs& args);

}  // namespace tally::agent
