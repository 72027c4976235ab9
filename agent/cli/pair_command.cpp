// `tally-agent pair`.

#include <chrono>
#include <iostream>

#include "agent/cli/commands.h"
#include "agent/pair/pair_device.h"

namespace tally::agent {

int pair_command(CliContext& ctx, const CliArgs& args) {
    PairInput in;
    in.server_url = args.server;
    in.code = args.code;
    in.ca_file = args.ca_file;
    in.device_type = args.device_type;
    in.config_path = ctx.config_path;
    in.config_explicit = ctx.config_explicit;
    PlatformParts& p = *ctx.parts;
    PairDeps deps{*p.keys,
                  *p.sender,
                  *p.files,
                  *p.fingerprint,
                  ctx.host_facts(),
                  std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count()};
    deps.wait.wait = std::chrono::seconds(args.wait_s.value_or(kPairWaitDefault.count()));
    auto id = pair_device(in, ctx.config, ctx.state_dir, deps);
    if (!id) {
        std::cerr << "tally-agent pair: " << id.error().message << "\n";
        return id.error().code == "usage" ? kExitUsage : 1;
    }
    std::cout << "paired: device " << id->device_id << " in tenant " << id->tenant << " ("
              << id->server_url << ")\n";
    return 0;
}

}  // namespace tally::agent
