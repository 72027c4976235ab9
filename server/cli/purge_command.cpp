// `tally-server purge`: deletes the metadata of users released 90 days ago or more (also
// run hourly by `serve`, see periodic_purge.h).

#include <iostream>

#include "server/application/purge_run.h"
#include "server/cli/command.h"
#include "server/cli/progress_meter.h"

namespace tally::server::cli {

int run_purge(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir"});
    if (!args) {
        return fail(args.error());
    }
    if (args->positional.size() != 1) {
        return fail(make_error("usage", "usage: tally-server purge [--data-dir DIR]"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    ProgressMeter progress(std::cerr, "purge");  // a line only if it took 2 s or more
    auto r = application::PurgeRun(**store).run(application::Caller::global(), now_seconds());
    if (!r) {
        return fail(r.error());
    }
    progress.step("done: " + std::to_string(r->users_purged) + " user(s)");
    std::cout << "purged " << r->users_purged << " user(s); redacted " << r->heartbeat_rows_redacted
              << " heartbeat record(s)" << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
