// tally-agent: parse arguments, load the config, build the platform parts, run a command.
// The only place where the portable core meets platform/<os>/.

#include <iostream>
#include <string>
#include <vector>

#include "agent/cli/cli_args.h"
#include "agent/cli/commands.h"
#include "agent/config.h"
#include "agent/interfaces/platform.h"
#include "agent/log.h"

int main(int argc, char** argv) {
    using namespace tally::agent;
    if (auto platform_exit = run_platform_helper(argc, argv))
        return *platform_exit;
    std::vector<std::string> raw(argv + 1, argv + argc);
    auto args = parse_args(raw);
    if (!args) {
        std::cerr << "tally-agent: " << args.error().message << "\n"
                  << "Try 'tally-agent --help'.\n";
        return kExitUsage;
    }
    if (args->command == Command::help) {
        std::cout << usage_text();
        return 0;
    }
    if (args->command == Command::version) {
        std::cout << "tally-agent " << TALLY_VERSION << "\n";
        return 0;
    }

    CliContext ctx;
    ctx.config_explicit = args->config_path.has_value();
    ctx.config_path = args->config_path.value_or(default_config_path());
    // `pair --config PATH` may create PATH (installers pair before any config exists);
    // every other command refuses a --config file that is not there.
    const bool must_exist = ctx.config_explicit && args->command != Command::pair;
    auto config = load_config(ctx.config_path, must_exist, process_environment());
    if (!config) {
        std::cerr << "tally-agent: " << config.error().message << "\n";
        return kExitUsage;
    }
    ctx.config = *config;
    if (args->standalone)
        ctx.config.mode = "standalone";
    LogLevel level = LogLevel::info;
    parse_log_level(ctx.config.log_level, level);
    set_log_level(level);
    ctx.state_dir = args->state_dir.value_or(default_state_dir());
    PlatformParts parts = make_platform(ctx.config, ctx.state_dir);
    complete_platform_parts(parts);
    // agent.json once more, through the platform's FileSystem (POSIX: no symbolic link
    // followed anywhere on its path): a linked config is refused, and the parts were built
    // from the very file read that way.
    auto checked =
        load_config(ctx.config_path, must_exist, process_environment(), parts.files.get());
    if (!checked) {
        std::cerr << "tally-agent: " << checked.error().message << "\n";
        return kExitUsage;
    }
    if (!(*checked == *config)) {
        std::cerr << "tally-agent: " << ctx.config_path.string() << " changed while starting\n";
        return kExitUsage;
    }
    ctx.parts = &parts;
    ctx.host_facts = [] { return host_facts(); };

    switch (args->command) {
        case Command::run:
            return run_command(ctx);
        case Command::pair:
            return pair_command(ctx, *args);
        case Command::status:
            return status_command(ctx, args->json);
        case Command::probe:
            return probe_command(ctx, args->json);
        case Command::retire:
            return retire_command(ctx);
        case Command::report:
            return report_command(ctx, *args);
        case Command::export_bundle:
            return export_command(ctx, *args);
        case Command::version:
        case Command::help:
            break;
    }
    return 0;
}
