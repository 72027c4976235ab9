// `tally-server purge [--evidence-retention-days N] [--max-backfill-days N]`: deletes the
// metadata of users released 90 days ago or more, evidence batches past
// evidence_retention_days (default 400; the rollups stay) and the dedupe hashes past the
// acceptance window (also run hourly by `serve`, see periodic_purge.h).

#include <iostream>

#include "server/application/purge_run.h"
#include "server/cli/command.h"
#include "server/cli/progress_meter.h"

namespace tally::server::cli {

int run_purge(const std::vector<std::string>& words) {
    auto args =
        parse_args(words, {"data-dir", "db", "evidence-retention-days", "max-backfill-days"});
    if (!args) {
        return fail(args.error());
    }
    if (args->positional.size() != 1) {
        return fail(make_error("usage",
                               "usage: tally-server purge [--evidence-retention-days N] "
                               "[--max-backfill-days N] [--data-dir DIR] [--db URL]"));
    }
    auto retention = parse_days(*args, "evidence-retention-days", "400");
    if (!retention) {
        return fail(retention.error());
    }
    auto window = parse_days(*args, "max-backfill-days", "35");
    if (!window) {
        return fail(window.error());
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
    auto evidence = (*store)->purge_evidence(now_seconds(), EvidencePolicy{*retention, *window});
    if (!evidence) {
        return fail(evidence.error());
    }
    std::cout << "deleted " << evidence->batches_deleted
              << " evidence batch(es) past evidence_retention_days (" << *retention
              << " days); pruned the dedupe hashes of " << evidence->batches_pruned
              << " batch(es) past the acceptance window; stored " << evidence->batches_compacted
              << " signed body(ies) in their compact form; packed " << evidence->batches_packed
              << " batch(es) of ended days into " << evidence->packs_written << " evidence pack(s)"
              << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
