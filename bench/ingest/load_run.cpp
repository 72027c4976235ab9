// Closed- and open-loop batch sender (see load_run.h).

#include "bench/ingest/load_run.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "bench/ingest/proc_stats.h"
#include "pairing/messages.h"

namespace tally::bench {
namespace {

using Clock = std::chrono::steady_clock;

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) {
        return 0;
    }
    const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

LoadResult run_load(const std::shared_ptr<TlsContext>& ctx, const LoadOptions& opts,
                    const std::vector<SimDevice>& devices,
                    const std::vector<SignedBatch>& batches) {
    LoadResult result;
    std::vector<double> latencies(batches.size(), -1);
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> ok{0}, accepted{0}, failed{0}, handshakes{0}, unsent{0};
    std::mutex failure_mutex;
    std::mutex parked_mutex;
    std::vector<std::unique_ptr<TlsConnection>> parked;  // idle agent-like connections

    const auto before = sample_process(opts.server_pid);
    // Connections are opened before the clock starts: handshakes are not ingest work.
    std::vector<std::unique_ptr<TlsConnection>> conns;
    for (int c = 0; c < opts.connections; ++c) {
        conns.push_back(std::make_unique<TlsConnection>(ctx, opts.host, opts.port));
        if (!opts.connection_per_batch) {
            // A failure here shows again (and is counted) at the connection's first post.
            (void)conns.back()->open();
        }
    }
    const auto client_before = sample_process(static_cast<int>(::getpid()));
    const auto start = Clock::now() + std::chrono::milliseconds(20);
    std::vector<std::thread> threads;
    for (int c = 0; c < opts.connections; ++c) {
        threads.emplace_back([&, c] {
            std::unique_ptr<TlsConnection> own;
            for (;;) {
                const std::size_t i = next.fetch_add(1);
                if (i >= batches.size()) {
                    break;
                }
                auto scheduled = start;
                if (opts.rate > 0) {
                    scheduled += std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(static_cast<double>(i) / opts.rate));
                    // A server that cannot keep the rate would otherwise stretch the run
                    // without bound: past 3× the planned time (+2 s), the rest is not sent.
                    const auto planned = std::chrono::duration<double>(
                        static_cast<double>(batches.size()) / opts.rate);
                    if (Clock::now() - start > std::chrono::duration_cast<Clock::duration>(
                                                   planned * 3 + std::chrono::seconds(2))) {
                        ++unsent;
                        continue;
                    }
                    std::this_thread::sleep_until(scheduled);
                } else {
                    scheduled = Clock::now();
                }
                const auto& b = batches[i];
                if (opts.connection_per_batch || !own) {
                    own = opts.connection_per_batch
                              ? std::make_unique<TlsConnection>(ctx, opts.host, opts.port)
                              : std::move(conns[static_cast<std::size_t>(c)]);
                }
                TlsConnection& conn = *own;
                auto resp = conn.post("/v1/heartbeats",
                                      {{pairing::kHeaderDevice, devices[b.device].device_id},
                                       {pairing::kHeaderSignature, b.signature},
                                       {"Content-Type", "application/json"},
                                       {"Content-Encoding", "gzip"}},
                                      b.body);
                const auto done = Clock::now();
                if (opts.connection_per_batch) {
                    handshakes += conn.handshakes();
                    std::lock_guard lock(parked_mutex);
                    parked.push_back(std::move(own));
                }
                latencies[i] = std::chrono::duration<double, std::milli>(done - scheduled).count();
                std::string failure;
                if (!resp) {
                    failure = resp.error().code + ": " + resp.error().message;
                } else if (resp->status != 200) {
                    failure = "HTTP " + std::to_string(resp->status) + " " + resp->body;
                } else if (auto ack = pairing::decode_ack(resp->body); !ack) {
                    failure = "bad ack: " + ack.error().message;
                } else {
                    ++ok;
                    accepted += ack->accepted;
                    continue;
                }
                ++failed;
                std::lock_guard lock(failure_mutex);
                if (result.first_failure.empty()) {
                    result.first_failure = failure;
                }
            }
            if (own) {
                handshakes += own->handshakes();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const auto end = Clock::now();
    for (const auto& conn : conns) {
        if (conn) {
            handshakes += conn->handshakes();
        }
    }
    const auto after = sample_process(opts.server_pid);
    const auto client_after = sample_process(static_cast<int>(::getpid()));
    if (client_before && client_after) {
        result.client_cpu_s = client_after->cpu_s - client_before->cpu_s;
    }

    result.seconds = std::chrono::duration<double>(end - start).count();
    result.batches_ok = ok;
    result.heartbeats_accepted = accepted;
    result.failed = failed;
    result.unsent = unsent;
    result.handshakes = handshakes;
    std::vector<double> done;
    for (double l : latencies) {
        if (l >= 0) {
            done.push_back(l);
        }
    }
    std::sort(done.begin(), done.end());
    result.p50_ms = percentile(done, 0.50);
    result.p99_ms = percentile(done, 0.99);
    result.max_ms = done.empty() ? 0 : done.back();
    if (before && after) {
        result.server_cpu_s = after->cpu_s - before->cpu_s;
        result.server_rss_kb = after->rss_kb;
        result.server_hwm_kb = after->hwm_kb;
    }
    return result;
}

}  // namespace tally::bench
