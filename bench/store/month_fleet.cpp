// A month of a fleet through the real ingest path (see month_fleet.h).

#include "bench/store/month_fleet.h"

#include <stdlib.h>

#include <chrono>
#include <iomanip>
#include <map>
#include <sstream>
#include <stdexcept>

#include "bench/month/month_days.h"
#include "bench/store/db_pages.h"
#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "pairing/pairing_code.h"
#include "server/ingest/pair_handler.h"
#include "server/ingest/upload_handler.h"

namespace tally::bench {
namespace {

constexpr std::int64_t kMonthStart = 1793491200;  // 2026-11-01T00:00:00Z, a Sunday
constexpr std::int64_t kInterval = 300;
constexpr std::int64_t kPerDay = 86400 / kInterval;

template <typename T>
T must(Result<T> r, const char* what) {
    if (!r) {
        throw std::runtime_error(std::string(what) + ": " + r.error().message);
    }
    return std::move(*r);
}

void must(Result<void> r, const char* what) {
    if (!r) {
        throw std::runtime_error(std::string(what) + ": " + r.error().message);
    }
}

//! Minutes active in a 5-minute interval starting at `start` for device `d`: working hours
//! (08-12, 13-17 UTC, Monday to Friday) on most devices, two shifts (06-14, 14-22, every
//! day) on every tenth, nothing on every tenth idle one.
struct Activity {
    std::uint32_t minutes = 0;
    std::string user;
};
Activity activity(int d, std::int64_t start) {
    const auto day = (start - kMonthStart) / 86400;
    const auto hour = (start / 3600) % 24;
    const bool weekday = day % 7 != 0 && day % 7 != 6;
    const auto minutes = static_cast<std::uint32_t>(3 + (start / kInterval + d) % 3);
    if (d % 10 == 9) {
        return {};
    }
    if (d % 10 == 8) {
        if (hour < 6 || hour >= 22) {
            return {};
        }
        return {minutes, "shift-" + std::to_string(hour < 14 ? 2 * d : 2 * d + 1)};
    }
    if (!weekday || hour < 8 || hour >= 17 || hour == 12) {
        return {};
    }
    return {minutes, "user-" + std::to_string(d) + "@corp.example"};
}

std::filesystem::path make_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tally-bench-store-XXXXXX");
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return tmpl;
}

}  // namespace

StoreMonth::StoreMonth(const StoreMonthOptions& options)
    : o_(options),
      profile_(kMonthStart, static_cast<std::size_t>(options.days), 1),
      dir_(make_dir()) {
    store_ = must(server::SqliteStore::open((dir_ / "tally.db").string()), "open");
    must(store_->add_tenant("bench", kMonthStart - 86400), "tenant");
    options_.max_backfill_days = 35;
}

StoreMonth::~StoreMonth() {
    store_.reset();
    if (!keep_) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

void StoreMonth::pair_all() {
    const auto code = pairing::generate_pairing_code();
    const auto canonical = must(pairing::normalize_pairing_code(code), "code");
    must(store_->add_pairing_code({"bench", pairing::hex_encode(pairing::sha256(canonical)),
                                   o_.devices, kMonthStart + 86400},
                                  kMonthStart - 60),
         "pairing code");
    for (int d = 0; d < o_.devices; ++d) {
        Device device{
            must(pairing::SoftwareKey::generate(), "key"), "", pairing::kGenesisPrev, 0, {}, 0};
        pairing::PairRequest r;
        r.code = code;
        r.public_key = pairing::base64url_encode(device.key.public_key());
        r.time = kMonthStart;
        r.nonce = pairing::base64url_encode(pairing::random_bytes(16));
        r.device = {"pc-" + std::to_string(d),
                    "linux",
                    "Debian 12",
                    "0.1.0",
                    "business",
                    o_.realistic ? profile_.role(static_cast<std::size_t>(d)) : "workstation",
                    std::string(64, 'a')};
        const auto body = pairing::encode_pair_request(r);
        const auto sig = pairing::base64url_encode(device.key.sign(body));
        device.id =
            must(server::handle_pair(*store_, body, sig, kMonthStart, options_), "pair").device_id;
        fleet_.push_back(std::move(device));
    }
}

std::string StoreMonth::heartbeat(Device& device, int d, std::int64_t i) {
    pairing::Heartbeat hb;
    hb.seq = ++device.seq;
    hb.start = kMonthStart + i * kInterval;
    hb.end = hb.start + kInterval;
    hb.boot_id = std::string(32, 'b');
    hb.uptime_s = static_cast<std::uint64_t>(1000 + i * kInterval);
    const auto a = activity(d, hb.start);
    hb.device_active_minutes = a.minutes;
    if (!a.user.empty()) {
        hb.users.push_back({a.user, false, "console", a.minutes});
    }
    hb.prev = device.prev;
    auto bytes = pairing::encode_heartbeat(hb);
    device.prev = pairing::chain_hash(bytes);
    return bytes;
}

std::string StoreMonth::realistic_heartbeat(Device& device, int d) {
    if (device.pending.empty()) {
        if (device.seq == 0) {
            device.seq = 1;  // day_heartbeats takes the next seq to use
        }
        for (auto& hb : day_heartbeats(profile_, static_cast<std::size_t>(d), device.next_day++,
                                       device.seq, device.prev)) {
            device.pending.push_back(std::move(hb.bytes));
        }
    }
    auto bytes = std::move(device.pending.front());
    device.pending.pop_front();
    return bytes;
}

std::int64_t StoreMonth::send_all() {
    const std::int64_t total = o_.days * kPerDay;
    std::int64_t accepted = 0;
    for (std::int64_t first = 0; first < total; first += o_.batch) {
        const auto last = std::min(total, first + o_.batch);
        for (int d = 0; d < o_.devices; ++d) {
            auto& device = fleet_[static_cast<std::size_t>(d)];
            pairing::Batch b;
            b.device_id = device.id;
            for (auto i = first; i < last; ++i) {
                b.heartbeats.push_back(o_.realistic ? realistic_heartbeat(device, d)
                                                    : heartbeat(device, d, i));
            }
            const auto now = kMonthStart + last * kInterval + 60;
            b.sent_at = now;
            const auto body = pairing::gzip_compress(pairing::encode_batch(b));
            const auto sig = pairing::base64url_encode(device.key.sign(body));
            body_bytes_ += static_cast<std::int64_t>(body.size()) + 64;  // r||s
            server::UploadRequest req{device.id, sig, "gzip", body};
            accepted +=
                must(server::handle_upload(*store_, req, now, options_), "upload").ack.accepted;
        }
    }
    return accepted;
}

namespace {

std::string describe(const server::EvidenceCheck& check) {
    std::ostringstream out;
    out << check.heartbeats << " heartbeats, " << check.decoded_ok << " re-decoded, "
        << check.signatures_ok << " of " << check.batches << " batch signatures verified, "
        << check.links_checked << " links, "
        << check.problems.size() + check.rollup_differences.size() << " problem(s)";
    return out.str();
}

}  // namespace

std::string StoreMonth::purge() {
    const auto now = kMonthStart + (o_.days + o_.purge_after_days) * 86400;
    server::EvidencePolicy policy;
    policy.pack = o_.pack;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = must(store_->purge_evidence(now, policy), "purge");
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0);
    purged_check_ = must(store_->verify_evidence("bench", "2026-11"), "verify");
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    out << "evidence purge " << o_.purge_after_days << " days after the month"
        << (o_.pack ? "" : " (--no-pack)") << ": " << r.batches_pruned << " batches pruned, "
        << r.batches_compacted << " compacted, " << r.batches_packed << " packed into "
        << r.packs_written << " packs, in " << seconds.count() << " s\n";
    out << "verify-evidence 2026-11 after the purge: " << describe(*purged_check_) << "\n";
    return out.str();
}

FleetResult StoreMonth::run() {
    pair_all();
    const auto t0 = std::chrono::steady_clock::now();
    const auto accepted = send_all();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0);
    const auto check = must(store_->verify_evidence("bench", "2026-11"), "verify");
    const auto purged = o_.purge_after_days > 0 ? purge() : std::string();
    store_.reset();
    const auto expected = static_cast<std::int64_t>(o_.devices) * o_.days * kPerDay;
    const auto db_path = dir_ / "tally.db";
    const auto sizes = table_sizes(db_path);
    const auto file = static_cast<std::int64_t>(std::filesystem::file_size(db_path));

    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    out << "fleet: " << o_.devices << " devices x " << o_.days << " days x " << kPerDay
        << " heartbeats/day = " << expected << " heartbeats, batches of " << o_.batch << "\n";
    out << "ingest (in process, handle_upload, no TLS): " << accepted << " accepted in "
        << seconds.count() << " s = " << accepted / seconds.count() << " heartbeats/s\n";
    out << "database file after checkpoint: " << file
        << " bytes = " << static_cast<double>(file) / static_cast<double>(expected)
        << " B/heartbeat\n";
    std::int64_t rollups = 0;
    for (const auto& [name, bytes] : sizes) {
        if (bytes * 1000 < file && name.rfind("rollup_", 0) != 0) {
            continue;  // under 0.1 % of the file
        }
        out << "  " << std::left << std::setw(36) << name << std::right << std::setw(12) << bytes
            << " bytes " << std::setw(8)
            << static_cast<double>(bytes) / static_cast<double>(expected) << " B/heartbeat\n";
        rollups += name.rfind("rollup_", 0) == 0 || name.rfind("sqlite_autoindex_rollup", 0) == 0
                       ? bytes
                       : 0;
    }
    out << "  of which rollups: " << rollups
        << " bytes = " << static_cast<double>(rollups) / static_cast<double>(expected)
        << " B/heartbeat\n";
    out << "signed batch bodies as received (gzip) + 64-byte signatures: " << body_bytes_
        << " bytes = " << static_cast<double>(body_bytes_) / static_cast<double>(expected)
        << " B/heartbeat (what one evidence row per batch would hold)\n";
    out << "verify-evidence 2026-11: " << describe(check) << "\n" << purged;
    const auto used = page_counts(db_path).in_use();
    out << "pages in use: " << used
        << " bytes = " << static_cast<double>(used) / static_cast<double>(expected)
        << " B/heartbeat\n";
    bool ok = accepted == expected && check.heartbeats == expected && check.ok();
    if (purged_check_) {
        ok = ok && purged_check_->heartbeats == expected && purged_check_->ok() &&
             purged_check_->signatures_ok == purged_check_->batches;
    }
    out << (ok ? "result: ok" : "result: FAILED (counts or evidence differ)") << "\n";
    return {ok, out.str()};
}

}  // namespace tally::bench
