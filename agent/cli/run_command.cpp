// `tally-agent run`.

#include <cstdio>
#include <cstdlib>

#include "agent/app/agent_app.h"
#include "agent/cli/commands.h"

namespace tally::agent {

int run_command(CliContext& ctx) {
    int code = 0;
    bool abandoned = false;
    {
        AgentApp app(ctx.config, ctx.state_dir, *ctx.parts, ctx.host_facts);
        code = app.run();
        abandoned = app.abandoned_upload();
        if (abandoned) {
            // The final upload's thread is still inside the transport: do not wait for its
            // timeout. Everything it carried is still in the spool. The service host goes
            // first: it tells the service manager that the service stopped (Windows:
            // SERVICE_STOPPED; without it the SCM saw a crash, and an installer waiting
            // for the stop waited in vain).
            ctx.parts->service.reset();
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(code);
        }
    }
    return code;
}

}  // namespace tally::agent
