// `tally-agent retire`: run by the uninstaller.

#include <chrono>
#include <iostream>

#include "agent/cli/commands.h"
#include "agent/pair/retire_device.h"
#include "agent/pair/retire_upload.h"

namespace tally::agent {

int retire_command(CliContext& ctx) {
    PlatformParts& p = *ctx.parts;
    RetireDeps deps{*p.sender, *p.files,
                    std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count()};
    // The installers stop the service first; a running agent uploads its own spool (its
    // shutdown sends the last batch), and two writers must not share one spool.
    const bool agent_running = p.status && p.status->query().has_value();
    deps.upload_limit = agent_running ? std::chrono::seconds(0) : kRetireUploadLimit;
    auto id = retire_device(ctx.config, ctx.state_dir, "uninstall", deps);
    if (!id) {
        std::cerr << "tally-agent retire: " << id.error().message << "\n";
        return 1;
    }
    std::cout << "retired: device " << id->device_id << " will not be billed again\n";
    return 0;
}

}  // namespace tally::agent
