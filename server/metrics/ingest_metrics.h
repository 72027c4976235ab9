#pragma once
// What the upload route counts for GET /metrics (server/http/metrics_route.h): batches
// answered and refused by error code, heartbeats accepted, duplicate and not counted by
// reason, and how long a batch took to verify (read, signature) and to commit (dedupe, store,
// group commit's fsync). Thread-safe; counters only grow (Prometheus counters).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "pairing/messages.h"
#include "server/metrics/histogram.h"

namespace tally::server::metrics {

struct UploadCounts {
    std::uint32_t accepted = 0;       //!< stored, counted
    std::uint32_t duplicates = 0;     //!< seen before with the same bytes
    std::uint32_t out_of_window = 0;  //!< held as evidence, not counted
    std::uint32_t forks = 0;          //!< a seen seq with different bytes: not counted
};

class IngestMetrics {
  public:
    void batch_accepted(const UploadCounts& counts);
    //! `code` is the error code of the answer (PROTOCOL.md §7): a fixed, small set.
    void batch_refused(const std::string& code);
    void verified(double seconds) { verify_.observe(seconds); }
    void committed(double seconds) { commit_.observe(seconds); }

    //! The families in Prometheus text format (HELP, TYPE, samples).
    void write(std::string& out) const;

  private:
    std::atomic<std::uint64_t> batches_accepted_{0};
    std::atomic<std::uint64_t> heartbeats_accepted_{0};
    std::atomic<std::uint64_t> heartbeats_duplicate_{0};
    std::atomic<std::uint64_t> heartbeats_out_of_window_{0};
    std::atomic<std::uint64_t> heartbeats_fork_{0};
    mutable std::mutex mutex_;
    std::map<std::string, std::uint64_t> refused_;  //!< by error code
    Histogram verify_;
    Histogram commit_;
};

//! Times one upload: verify from the start to the signature verified, commit from there to
//! the answer. Clock readings in seconds (any monotonic origin).
class UploadTimer {
  public:
    UploadTimer(IngestMetrics& metrics, double start)
        : metrics_(metrics), start_(start), verified_(start) {}
    void verified(double now) {
        verified_ = now;
        metrics_.verified(now - start_);
    }
    void committed(double now, const UploadCounts& counts) {
        metrics_.committed(now - verified_);
        metrics_.batch_accepted(counts);
    }

  private:
    IngestMetrics& metrics_;
    double start_;
    double verified_;
};

}  // namespace tally::server::metrics
