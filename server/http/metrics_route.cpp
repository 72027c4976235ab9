// GET /metrics (see metrics_route.h).

#include "server/http/metrics_route.h"

#include <string>
#include <string_view>

#include "server/auth/admin_token.h"
#include "server/http/error_response.h"
#include "server/metrics/prometheus_text.h"

namespace tally::server {
namespace {

//! A global admin token, as the admin API checks it (admin_routes.cpp).
Result<void> global_admin(Store& store, const Request& req, std::int64_t now) {
    constexpr std::string_view kBearer = "Bearer ";
    const auto header = req.get_header_value("Authorization");
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
        return make_error("unauthorized",
                          "an 'Authorization: Bearer <admin token>' header is required");
    }
    auto token =
        find_usable_admin_token(store, hash_admin_token(header.substr(kBearer.size())), now);
    if (!token) {
        return token.error();
    }
    if (!*token) {
        return make_error("unauthorized",
                          "the admin token is not valid (unknown, expired or revoked)");
    }
    if ((*token)->tenant) {
        return make_error("forbidden", "/metrics needs a global admin token");
    }
    return {};
}

Result<std::string> render(Store& store, const metrics::IngestMetrics& ingest,
                           std::size_t connections) {
    auto stats = store.storage_stats();
    if (!stats) {
        return stats.error();
    }
    std::string out;
    ingest.write(out);
    using metrics::family;
    using metrics::sample;
    const auto bytes = [](std::int64_t n) { return static_cast<std::uint64_t>(n < 0 ? 0 : n); };
    family(out, "tally_database_bytes", "gauge", "Size of the database files on disk.");
    sample(out, "tally_database_bytes", {{"file", "main"}}, bytes(stats->database_bytes));
    sample(out, "tally_database_bytes", {{"file", "wal"}}, bytes(stats->wal_bytes));
    family(out, "tally_evidence_rows", "gauge",
           "Evidence rows stored: accepted batches and held heartbeats.");
    sample(out, "tally_evidence_rows", {}, bytes(stats->evidence_rows));
    if (stats->commit_transactions > 0) {
        family(out, "tally_commit_transactions_total", "counter",
               "Group-commit transactions committed (one fsync each).");
        sample(out, "tally_commit_transactions_total", {}, bytes(stats->commit_transactions));
        family(out, "tally_commit_units_total", "counter",
               "Writes (batches and others) committed in those transactions.");
        sample(out, "tally_commit_units_total", {}, bytes(stats->commit_units));
    }
    family(out, "tally_open_connections", "gauge", "TCP connections open on the HTTPS front.");
    sample(out, "tally_open_connections", {}, static_cast<std::uint64_t>(connections));
    return out;
}

}  // namespace

void install_metrics_route(Router& router, Store& store, Clock clock,
                           std::shared_ptr<const metrics::IngestMetrics> ingest,
                           OpenConnections open_connections) {
    router.get("/metrics",
               [&store, clock, ingest, open_connections](const Request& req, Response& res) {
                   if (auto ok = global_admin(store, req, clock()); !ok) {
                       set_error(res, ok.error());
                       return;
                   }
                   auto text = render(store, *ingest, open_connections ? open_connections() : 0);
                   if (!text) {
                       set_error(res, text.error());
                       return;
                   }
                   res.status = 200;
                   res.set_content(std::move(*text), "text/plain; version=0.0.4; charset=utf-8");
               });
}

}  // namespace tally::server
