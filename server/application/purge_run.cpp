// The purge use case (see purge_run.h).

#include "server/application/purge_run.h"

#include "server/report/snapshot_redaction.h"

namespace tally::server::application {

Result<PurgeResult> PurgeRun::run(const Caller& caller, std::int64_t now) {
    if (auto g = global_only(caller); !g) {
        return g.error();
    }
    auto result = store_.purge_users(now);
    if (!result || result->purged.empty()) {
        return result;
    }
    auto redacted = redact_month_snapshots(snapshots_, result->purged);
    if (!redacted) {
        return redacted.error();
    }
    result->snapshots_redacted = *redacted;
    result->purged.clear();  // the names leave the run here
    return result;
}

}  // namespace tally::server::application
