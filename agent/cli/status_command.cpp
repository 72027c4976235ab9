// `tally-agent status` / `--status`: ask the running agent; when none answers, show the
// last status it left (status.json) corrected by what is on disk now, with exit code 3.

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/cli/commands.h"
#include "agent/identity/identity.h"
#include "agent/state/agent_state.h"
#include "agent/status/status.h"

namespace tally::agent {
namespace {

Status offline_status(CliContext& ctx) {
    Status s;
    std::ifstream in(ctx.state_dir / "status.json", std::ios::binary);
    if (in) {
        std::stringstream text;
        text << in.rdbuf();
        if (auto parsed = status_from_json(text.str()))
            s = *parsed;
    }
    s.running = false;
    s.pid = 0;  // the process that wrote status.json is gone
    s.mode = ctx.config.mode;
    auto id = load_identity(*ctx.parts->files, ctx.state_dir);
    bool has_identity = id && id->has_value();
    std::string fingerprint = ctx.parts->fingerprint->fingerprint();
    bool same_machine =
        !has_identity || (*id)->fingerprint.empty() || (*id)->fingerprint == fingerprint;
    if (has_identity) {
        const Identity& i = **id;
        // A state learned from the server sticks while the identity it was about is current.
        bool sticky =
            (s.state == "revoked" || s.state == "tenant_inactive" || s.state == "auth_failed") &&
            s.device_id == i.device_id;
        s.paired = true;
        s.device_id = i.device_id;
        s.tenant = i.tenant;
        if (s.server_url.empty())
            s.server_url = i.server_url;
        if (!sticky) {
            s.state = to_string(initial_state(ctx.config.mode == "standalone", true, same_machine));
        }
    } else {
        s.paired = false;
        s.device_id.clear();
        s.tenant.clear();
        s.state = to_string(initial_state(ctx.config.mode == "standalone", false, true));
    }
    if (!id)
        s.last_error = id.error().message;
    if (s.version.empty())
        s.version = TALLY_VERSION;
    if (s.spool_max_bytes == 0)
        s.spool_max_bytes = ctx.config.spool_max_bytes;
    s.upload_interval_s = ctx.config.upload_interval_s;
    return s;
}

}  // namespace

int status_command(CliContext& ctx, bool json) {
    Status s;
    bool live = false;
    if (auto answer = ctx.parts->status->query()) {
        auto parsed = status_from_json(*answer);
        if (parsed) {
            s = *parsed;
            live = true;
        } else {
            std::cerr << "tally-agent status: the running agent answered unreadable status: "
                      << parsed.error().message << "\n";
        }
    }
    if (!live)
        s = offline_status(ctx);
    std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    if (json) {
        std::cout << status_to_json(s) << "\n";
    } else {
        std::cout << render_status_text(s, now);
    }
    return status_exit_code(s, now);
}

}  // namespace tally::agent
