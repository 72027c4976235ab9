#pragma once
// Use case: purge the metadata of users released 90 days ago or more (DESIGN.md §5 rule 4),
// the same for `tally-server purge`, `POST /v1/purge` and the hourly purge of `serve`. Who
// is purged is billing/user_retention.h's rule; the store deletes what it names. Only a
// global admin purges (the CLI and serve's own timer are one).

#include <cstdint>

#include "pairing/result.h"
#include "server/application/admin_access.h"
#include "server/store/purge_store.h"

namespace tally::server::application {

class PurgeRun {
  public:
    explicit PurgeRun(PurgeStore& store) : store_(store) {}

    //! Errors: forbidden (a tenant admin), db.
    Result<PurgeResult> run(const Caller& caller, std::int64_t now);

  private:
    PurgeStore& store_;
};

}  // namespace tally::server::application
