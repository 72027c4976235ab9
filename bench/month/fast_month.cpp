// The in-process fast path for bench state (see fast_month.h).

#include "bench/month/fast_month.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "bench/month/month_days.h"
#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/ingest/device_id.h"

namespace tally::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

//! The facts bench/ingest/fleet.cpp's pair_one sends for device `i`.
pairing::DeviceFacts facts(std::uint32_t i) {
    return {"bench-" + std::to_string(i),
            "linux",
            "Debian GNU/Linux 12 (bookworm)",
            "0.1.0-bench",
            "business",
            "workstation",
            pairing::hex_encode(pairing::sha256("bench-fp-" + std::to_string(i)))};
}

}  // namespace

Result<void> parallel_for(std::size_t n, int threads,
                          const std::function<Result<void>(std::size_t)>& work) {
    std::atomic<std::size_t> next{0};
    std::mutex failure_mutex;
    std::optional<Error> failure;
    std::atomic<bool> failed{false};
    const auto worker = [&] {
        for (auto i = next++; i < n && !failed; i = next++) {
            if (auto r = work(i); !r) {
                std::lock_guard lock(failure_mutex);
                failure = r.error();
                failed = true;
                return;
            }
        }
    };
    std::vector<std::thread> pool;
    for (int i = 0; i < std::max(1, threads); ++i) {
        pool.emplace_back(worker);
    }
    for (auto& t : pool) {
        t.join();
    }
    if (failure) {
        return *failure;
    }
    return {};
}

namespace {

//! One pairing code per thread: a code's row is locked by each pairing through it, so threads
//! pairing through one code would run one at a time (as pairings on one code must).
Result<std::vector<std::string>> add_codes(server::PairingStore& store, const FastMonthOptions& o,
                                           std::int64_t now) {
    const auto threads = static_cast<std::size_t>(std::max(1, o.threads));
    std::vector<std::string> codes;
    for (std::size_t t = 0; t < threads; ++t) {
        codes.push_back(pairing::hex_encode(
            pairing::sha256("fast-path-" + pairing::hex_encode(pairing::random_bytes(16)))));
        const auto uses = static_cast<std::int64_t>(o.devices / threads + 1);
        if (auto added = store.add_pairing_code({o.tenant, codes.back(), uses, now + 86400}, now);
            !added) {
            return added.error();
        }
    }
    return codes;
}

}  // namespace

Result<std::vector<FastDevice>> pair_fleet(server::PairingStore& store, const FastMonthOptions& o) {
    const auto now = unix_now();
    auto codes = add_codes(store, o, now);
    if (!codes) {
        return codes.error();
    }
    std::vector<FastDevice> out(o.devices);
    auto paired = parallel_for(o.devices, o.threads, [&](std::size_t i) -> Result<void> {
        auto key = pairing::SoftwareKey::generate();
        if (!key) {
            return key.error();
        }
        server::PairAttempt a;
        a.code_hash = (*codes)[i % codes->size()];
        a.public_key = std::string(pairing::as_chars(key->public_key()));
        a.facts = facts(static_cast<std::uint32_t>(i));
        a.new_device_id = server::new_device_id();
        a.now = now;
        auto device = store.pair_device(a);
        if (!device) {
            return device.error();
        }
        out[i] = {device->id, static_cast<std::uint32_t>(i),
                  std::make_shared<pairing::SoftwareKey>(std::move(*key))};
        return {};
    });
    if (!paired) {
        return paired.error();
    }
    return out;
}

namespace {

//! The day's batch as the agent sends it: gzip JSON, signed with the device's key (the
//! evidence the store keeps; what the upload handler's checks would find is not re-checked).
//! Returns the body; `signature` gets its 64-byte r||s.
std::string signed_body(const FastDevice& device, const std::vector<server::AcceptedHeartbeat>& hbs,
                        std::string& signature) {
    pairing::Batch batch;
    batch.device_id = device.device_id;
    batch.sent_at = unix_now();
    for (const auto& hb : hbs) {
        batch.heartbeats.push_back(hb.bytes);
    }
    auto body = pairing::gzip_compress(pairing::encode_batch(batch));
    signature = std::string(pairing::as_chars(device.key->sign(body)));
    return body;
}

}  // namespace

Result<FastMonthResult> build_fast_month(server::PairingStore& pairer, server::IngestStore& ingest,
                                         const MonthFleet& fleet, const FastMonthOptions& o) {
    FastMonthResult result;
    auto t0 = Clock::now();
    auto devices = pair_fleet(pairer, o);
    if (!devices) {
        return devices.error();
    }
    result.pair_seconds = since(t0);
    result.devices = std::move(*devices);
    const std::size_t days = fleet.slots() / MonthFleet::kSlotsPerDay;
    std::atomic<std::uint64_t> stored{0};
    t0 = Clock::now();
    auto ok = parallel_for(result.devices.size(), o.threads, [&](std::size_t d) -> Result<void> {
        const auto& device = result.devices[d];
        std::uint64_t seq = 1;
        std::string prev = pairing::kGenesisPrev;
        for (std::size_t day = 0; day < days; ++day) {
            const auto hbs = day_heartbeats(fleet, device.index, day, seq, prev);
            server::SignedUpload upload;
            const auto body = signed_body(device, hbs, upload.signature);
            upload.body = body;
            auto r = ingest.store_signed_batch(device.device_id, upload, hbs, {}, unix_now());
            if (!r) {
                return r.error();
            }
            stored += r->accepted;
        }
        return {};
    });
    result.store_seconds = since(t0);
    if (!ok) {
        return ok.error();
    }
    result.heartbeats = stored;
    return result;
}

}  // namespace tally::bench
