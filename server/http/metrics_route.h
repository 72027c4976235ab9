#pragma once
// GET /metrics: the server's counters in Prometheus text format 0.0.4, behind a global
// admin token (`Authorization: Bearer <token>`; a tenant token is refused 403): batches and
// heartbeats by result and reason, verify and commit latency histograms (IngestMetrics,
// filled by the upload route), database size, evidence rows, open connections.

#include <cstddef>
#include <functional>
#include <memory>

#include "server/front/router.h"
#include "server/http/routes.h"
#include "server/metrics/ingest_metrics.h"
#include "server/store/store.h"

namespace tally::server {

using OpenConnections = std::function<std::size_t()>;

//! `store` must outlive the router; `open_connections` may be empty (reported as 0).
void install_metrics_route(Router& router, Store& store, Clock clock,
                           std::shared_ptr<const metrics::IngestMetrics> ingest,
                           OpenConnections open_connections);

}  // namespace tally::server
