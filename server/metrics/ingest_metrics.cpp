// Upload counters (see ingest_metrics.h).

#include "server/metrics/ingest_metrics.h"

#include "server/metrics/prometheus_text.h"

namespace tally::server::metrics {

void IngestMetrics::batch_accepted(const UploadCounts& counts) {
    constexpr auto relaxed = std::memory_order_relaxed;
    batches_accepted_.fetch_add(1, relaxed);
    heartbeats_accepted_.fetch_add(counts.accepted, relaxed);
    heartbeats_duplicate_.fetch_add(counts.duplicates, relaxed);
    heartbeats_out_of_window_.fetch_add(counts.out_of_window, relaxed);
    heartbeats_fork_.fetch_add(counts.forks, relaxed);
}

void IngestMetrics::batch_refused(const std::string& code) {
    std::lock_guard lock(mutex_);
    ++refused_[code];
}

void IngestMetrics::write(std::string& out) const {
    constexpr auto relaxed = std::memory_order_relaxed;
    family(out, "tally_batches_total", "counter",
           "Heartbeat batches answered: accepted (200), else refused with the error code.");
    sample(out, "tally_batches_total", {{"result", "accepted"}}, batches_accepted_.load(relaxed));
    {
        std::lock_guard lock(mutex_);
        for (const auto& [code, n] : refused_) {
            sample(out, "tally_batches_total", {{"result", "refused"}, {"reason", code}}, n);
        }
    }
    family(out, "tally_heartbeats_total", "counter",
           "Heartbeats of accepted batches: accepted (counted), duplicate, or refused (not "
           "counted) by reason: out_of_window (held as evidence), fork (a seq seen with other "
           "bytes). A refused batch's heartbeats are not read, so not counted here.");
    sample(out, "tally_heartbeats_total", {{"result", "accepted"}},
           heartbeats_accepted_.load(relaxed));
    sample(out, "tally_heartbeats_total", {{"result", "duplicate"}},
           heartbeats_duplicate_.load(relaxed));
    sample(out, "tally_heartbeats_total", {{"result", "refused"}, {"reason", "out_of_window"}},
           heartbeats_out_of_window_.load(relaxed));
    sample(out, "tally_heartbeats_total", {{"result", "refused"}, {"reason", "fork"}},
           heartbeats_fork_.load(relaxed));
    family(out, "tally_batch_verify_seconds", "histogram",
           "From the request to its signature verified (device look-up, ECDSA P-256).");
    verify_.write(out, "tally_batch_verify_seconds");
    family(out, "tally_batch_commit_seconds", "histogram",
           "From the signature verified to the batch durably stored (inflate, dedupe, "
           "transaction, group commit fsync), accepted batches.");
    commit_.write(out, "tally_batch_commit_seconds");
}

}  // namespace tally::server::metrics
