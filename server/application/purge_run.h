#pragma once
// Use case: purge the metadata of users released 90 days ago or more (DESIGN.md §5 rule 4),
// the same for `tally-server purge`, `POST /v1/purge` and the hourly purge of `serve`. Who
// is purged is billing/user_retention.h's rule; the store deletes what it names, then the
// closed-month snapshots that name them are redacted (report/snapshot_redaction.h) in the
// same run. Only a global admin purges (the CLI and serve's own timer are one).

#include <cstdint>

#include "pairing/result.h"
#include "server/application/admin_access.h"
#include "server/store/month_close_store.h"
#include "server/store/purge_store.h"
#include "server/store/store.h"

namespace tally::server::application {

class PurgeRun {
  public:
    PurgeRun(PurgeStore& store, MonthCloseStore& snapshots)
        : store_(store), snapshots_(snapshots) {}
    explicit PurgeRun(Store& store) : PurgeRun(store, store) {}

    //! Errors: forbidden (a tenant admin), db.
    Result<PurgeResult> run(const Caller& caller, std::int64_t now);

  private:
    PurgeStore& store_;
    MonthCloseStore& snapshots_;
};

}  // namespace tally::server::application
