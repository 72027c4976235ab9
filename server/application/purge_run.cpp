// The purge use case (see purge_run.h).

#include "server/application/purge_run.h"

namespace tally::server::application {

Result<PurgeResult> PurgeRun::run(const Caller& caller, std::int64_t now) {
    if (auto g = global_only(caller); !g) {
        return g.error();
    }
    return store_.purge_users(now);
}

}  // namespace tally::server::application
