// Fleet pairing and batch building for the load generator (see fleet.h).

#include "bench/ingest/fleet.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"

namespace tally::bench {
namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<std::string> pair_one(TlsConnection& conn, SimDevice& dev, const std::string& code) {
    pairing::PairRequest req;
    req.code = code;
    req.public_key = pairing::base64url_encode(dev.key.public_key());
    req.time = unix_now();
    req.nonce = pairing::base64url_encode(pairing::random_bytes(16));
    req.device = {"bench-" + std::to_string(dev.index),
                  "linux",
                  "Debian GNU/Linux 12 (bookworm)",
                  "0.1.0-bench",
                  "business",
                  "workstation",
                  pairing::hex_encode(pairing::sha256("bench-fp-" + std::to_string(dev.index)))};
    const auto body = pairing::encode_pair_request(req);
    const auto sig = pairing::base64url_encode(dev.key.sign(body));
    auto resp = conn.post(
        "/v1/pair", {{pairing::kHeaderSignature, sig}, {"Content-Type", "application/json"}}, body);
    if (!resp) {
        return resp.error();
    }
    if (resp->status != 200) {
        return make_error("pair",
                          "pairing answered " + std::to_string(resp->status) + ": " + resp->body);
    }
    auto decoded = pairing::decode_pair_response(resp->body);
    if (!decoded) {
        return decoded.error();
    }
    return decoded->device_id;
}

}  // namespace

std::string source_address(std::size_t i) {
    const std::size_t n = i + 1;  // skip 127.10.0.0
    return "127.10." + std::to_string((n >> 8) & 0xff) + "." + std::to_string(n & 0xff);
}

Result<PairingStats> pair_fleet(const std::shared_ptr<TlsContext>& ctx, const FleetOptions& opts,
                                std::vector<SimDevice>& out) {
    if (opts.devices > 250 * 256 * opts.pairs_per_source) {
        return make_error("usage", "too many devices for the loopback source addresses");
    }
    out.clear();
    out.reserve(opts.devices);
    for (std::size_t i = 0; i < opts.devices; ++i) {
        auto key = pairing::SoftwareKey::generate();
        if (!key) {
            return key.error();
        }
        out.push_back(SimDevice{std::move(*key), "", 1, pairing::kGenesisPrev, opts.first_start,
                                static_cast<std::uint32_t>(i)});
    }
    const auto started = std::chrono::steady_clock::now();
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> handshakes{0};
    std::mutex error_mutex;
    std::optional<Error> first_error;
    std::vector<std::thread> threads;
    for (int t = 0; t < opts.threads; ++t) {
        threads.emplace_back([&] {
            TlsConnection conn(ctx, opts.host, opts.port);
            for (;;) {
                const std::size_t i = next.fetch_add(1);
                if (i >= out.size()) {
                    break;
                }
                {
                    std::lock_guard lock(error_mutex);
                    if (first_error) {
                        break;
                    }
                }
                conn.set_source(source_address(i / opts.pairs_per_source));
                auto id = pair_one(conn, out[i], opts.code);
                if (!id) {
                    std::lock_guard lock(error_mutex);
                    first_error = id.error();
                    break;
                }
                out[i].device_id = std::move(*id);
            }
            handshakes += conn.handshakes();
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    if (first_error) {
        return *first_error;
    }
    PairingStats stats;
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    stats.paired = out.size();
    stats.handshakes = handshakes.load();
    return stats;
}

SignedBatch make_batch(SimDevice& device, std::uint32_t count, std::int64_t now) {
    pairing::Batch batch;
    batch.device_id = device.device_id;
    batch.sent_at = now;
    batch.heartbeats.reserve(count);
    const std::string principal = "user" + std::to_string(device.index) + "@bench.example";
    for (std::uint32_t k = 0; k < count; ++k) {
        pairing::Heartbeat hb;
        hb.seq = device.next_seq++;
        hb.start = device.next_start;
        hb.end = hb.start + 300;
        device.next_start = hb.end;
        hb.boot_id = "6c1f0b7e-2a44-4d0e-9a51-3f8e2d7c9b10";
        hb.uptime_s = 3600 + hb.seq * 300;
        hb.device_active_minutes = static_cast<std::uint32_t>(hb.seq % 6);
        if (hb.device_active_minutes > 0) {
            hb.users.push_back({principal, false, "console", hb.device_active_minutes});
        }
        hb.prev = device.prev;
        auto bytes = pairing::encode_heartbeat(hb);
        device.prev = pairing::chain_hash(bytes);
        batch.heartbeats.push_back(std::move(bytes));
    }
    SignedBatch out;
    out.device = device.index;
    out.heartbeats = count;
    out.body = pairing::gzip_compress(pairing::encode_batch(batch));
    out.signature = pairing::base64url_encode(device.key.sign(out.body));
    return out;
}

}  // namespace tally::bench
