#pragma once
// The HTTP routes of PROTOCOL.md on the front's Router (server/front/router.h): thin adapters
// from requests to the ingest/report functions, which do the work.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "server/front/router.h"
#include "server/ingest/options.h"
#include "server/store/store.h"

namespace tally::server {

using Clock = std::function<std::int64_t()>;

//! Registers every route (protocol, admin API, import, /ui, /metrics) with its body limit.
//! `store` and `options` must outlive the server; `open_connections` feeds /metrics.
void install_routes(Router& router, Store& store, const IngestOptions& options, Clock clock,
                    std::function<std::size_t()> open_connections = {});

}  // namespace tally::server
