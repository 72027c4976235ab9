// A retention-long steady state of the evidence (see steady_state.h).

#include "bench/store/steady_state.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>

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

constexpr std::int64_t kStart = 1759276800;  // 2025-10-01T00:00:00Z
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kInterval = 300;
constexpr std::int64_t kPerDay = kDay / kInterval;
constexpr std::int64_t kPurgeAt = 1800;  // the daily purge: 00:30 UTC

template <typename T>
T must(Result<T> r, const char* what) {
    if (!r) {
        throw std::runtime_error(std::string(what) + ": " + r.error().message);
    }
    return std::move(*r);
}

//! Office hours (08-12, 13-17 UTC, Monday to Friday) for most devices, two shifts every day
//! on every tenth, nothing on every tenth idle one (as month_fleet.cpp's simple month).
std::pair<std::uint32_t, std::string> activity(int d, std::int64_t start) {
    const auto weekday = (start / kDay + 4) % 7;  // 0 = Sunday (1970-01-01 was a Thursday)
    const auto hour = (start / 3600) % 24;
    const auto minutes = static_cast<std::uint32_t>(3 + (start / kInterval + d) % 3);
    if (d % 10 == 9) {
        return {0, ""};
    }
    if (d % 10 == 8) {
        if (hour < 6 || hour >= 22) {
            return {0, ""};
        }
        return {minutes, "shift-" + std::to_string(hour < 14 ? 2 * d : 2 * d + 1)};
    }
    if (weekday == 0 || weekday == 6 || hour < 8 || hour >= 17 || hour == 12) {
        return {0, ""};
    }
    return {minutes, "user-" + std::to_string(d) + "@corp.example"};
}

std::filesystem::path make_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tally-bench-steady-XXXXXX");
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return tmpl;
}

std::string month_of(std::int64_t t) {
    const auto days = t / kDay;  // civil from days (Howard Hinnant's algorithm)
    const auto z = days + 719468;
    const auto era = z / 146097;
    const auto doe = z - era * 146097;
    const auto yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const auto mp = (5 * doy + 2) / 153;
    const auto m = mp < 10 ? mp + 3 : mp - 9;
    const auto y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    std::ostringstream out;
    out << y << '-' << std::setw(2) << std::setfill('0') << m;
    return out.str();
}

}  // namespace

SteadyState::SteadyState(const SteadyOptions& options) : o_(options), dir_(make_dir()) {
    store_ = must(server::SqliteStore::open((dir_ / "tally.db").string()), "open");
    if (auto r = store_->add_tenant("bench", kStart - kDay); !r) {
        throw std::runtime_error("tenant: " + r.error().message);
    }
    options_.max_backfill_days = o_.window_days;
}

SteadyState::~SteadyState() {
    store_.reset();
    if (!keep_) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

void SteadyState::pair_all() {
    const auto code = pairing::generate_pairing_code();
    const auto canonical = must(pairing::normalize_pairing_code(code), "code");
    if (auto r = store_->add_pairing_code(
            {"bench", pairing::hex_encode(pairing::sha256(canonical)), o_.devices, kStart + kDay},
            kStart - 60);
        !r) {
        throw std::runtime_error("pairing code: " + r.error().message);
    }
    for (int d = 0; d < o_.devices; ++d) {
        Device device{must(pairing::SoftwareKey::generate(), "key"), "", pairing::kGenesisPrev, 0};
        pairing::PairRequest r;
        r.code = code;
        r.public_key = pairing::base64url_encode(device.key.public_key());
        r.time = kStart;
        r.nonce = pairing::base64url_encode(pairing::random_bytes(16));
        r.device = {
            "pc-" + std::to_string(d), "linux", "Debian 12", "0.1.0", "business", "workstation",
            std::string(64, 'a')};
        const auto body = pairing::encode_pair_request(r);
        const auto sig = pairing::base64url_encode(device.key.sign(body));
        device.id =
            must(server::handle_pair(*store_, body, sig, kStart, options_), "pair").device_id;
        fleet_.push_back(std::move(device));
    }
}

std::string SteadyState::heartbeat(Device& device, int d, std::int64_t start) {
    pairing::Heartbeat hb;
    hb.seq = ++device.seq;
    hb.start = start;
    hb.end = start + kInterval;
    hb.boot_id = std::string(32, 'b');
    hb.uptime_s = static_cast<std::uint64_t>(1000 + (start - kStart));
    const auto [minutes, name] = activity(d, start);
    hb.device_active_minutes = minutes;
    if (!name.empty()) {
        hb.users.push_back({name, false, "console", minutes});
    }
    hb.prev = device.prev;
    auto bytes = pairing::encode_heartbeat(hb);
    device.prev = pairing::chain_hash(bytes);
    return bytes;
}

void SteadyState::purge(std::int64_t now) {
    server::EvidencePolicy policy;
    policy.retention_days = o_.retention_days;
    policy.window_days = o_.window_days;
    policy.pack_after_days = o_.pack_after_days;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = must(store_->purge_evidence(now, policy), "purge");
    purge_seconds_.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    deleted_ += r.batches_deleted;
    packed_ += r.batches_packed;
}

std::string SteadyState::figures(std::int64_t now) {
    const auto db_path = dir_ / "tally.db";
    const auto sizes = table_sizes(db_path);
    const auto pages = page_counts(db_path);
    // The evidence the retention keeps: the fleet's last retention_days days of heartbeats.
    const auto kept = static_cast<std::int64_t>(o_.devices) *
                      std::min<std::int64_t>(o_.retention_days, (now - kStart) / kDay) * kPerDay;
    const auto per = [&](std::int64_t bytes) {
        return static_cast<double>(bytes) / static_cast<double>(kept);
    };
    std::int64_t evidence = 0;
    std::int64_t rollups = 0;
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    for (const auto& [name, bytes] : sizes) {
        const bool is_evidence = name.rfind("evidence_", 0) == 0;
        const bool is_rollup =
            name.rfind("rollup_", 0) == 0 || name.rfind("sqlite_autoindex_rollup", 0) == 0;
        evidence += is_evidence ? bytes : 0;
        rollups += is_rollup ? bytes : 0;
        if (is_evidence || bytes * 100 >= pages.in_use()) {
            out << "  " << std::left << std::setw(36) << name << std::right << std::setw(12)
                << bytes << " bytes " << std::setw(7) << per(bytes) << " B/heartbeat\n";
        }
    }
    std::ostringstream head;
    head << std::fixed << std::setprecision(1);
    head << "day " << (now - kStart) / kDay << " (" << month_of(now) << "): pages in use "
         << pages.in_use() << " bytes = " << per(pages.in_use()) << " B/heartbeat of the " << kept
         << " the retention keeps (freelist of " << pages.freelist << " pages excluded; file "
         << pages.pages * pages.page_size << " bytes = " << per(pages.pages * pages.page_size)
         << ")\n";
    head << "  of which evidence (tables + indexes) " << per(evidence) << ", rollups "
         << per(rollups) << " B/heartbeat\n";
    return head.str() + out.str();
}

void SteadyState::send_one(int d, std::int64_t first, std::int64_t last, std::int64_t now) {
    auto& device = fleet_[static_cast<std::size_t>(d)];
    pairing::Batch b;
    b.device_id = device.id;
    for (auto i = first; i < last; ++i) {
        b.heartbeats.push_back(heartbeat(device, d, kStart + i * kInterval));
    }
    b.sent_at = now;
    const auto body = pairing::gzip_compress(pairing::encode_batch(b));
    const auto sig = pairing::base64url_encode(device.key.sign(body));
    server::UploadRequest req{device.id, sig, "gzip", body};
    sent_ += last - first;
    accepted_ += must(server::handle_upload(*store_, req, now, options_), "upload").ack.accepted;
}

void SteadyState::send_step(std::int64_t first, std::int64_t last, std::int64_t now) {
    // Every device's batch of this step at once, as the server's workers would take them:
    // the group commit shares one fsync among them (one commit per batch would make the
    // bench's time the disk's).
    std::vector<std::string> errors(static_cast<std::size_t>(o_.devices));
    {
        std::vector<std::jthread> senders;
        for (int d = 0; d < o_.devices; ++d) {
            senders.emplace_back([&, d] {
                try {
                    send_one(d, first, last, now);
                } catch (const std::exception& e) {
                    errors[static_cast<std::size_t>(d)] = e.what();
                }
            });
        }
    }
    for (const auto& e : errors) {
        if (!e.empty()) {
            throw std::runtime_error(e);
        }
    }
}

FleetResult SteadyState::run() {
    pair_all();
    const std::int64_t total = o_.days * kPerDay;
    std::int64_t next_purge = kStart + kDay + kPurgeAt;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t first = 0; first < total; first += o_.batch) {
        const auto last = std::min(total, first + o_.batch);
        const auto now = kStart + last * kInterval + 60;
        for (; next_purge <= now; next_purge += kDay) {
            purge(next_purge);
        }
        send_step(first, last, now);
    }
    const auto end = kStart + o_.days * kDay + kPurgeAt;
    for (; next_purge <= end; next_purge += kDay) {
        purge(next_purge);
    }
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // A whole month inside the retention (packed), and the last whole month (partly in the
    // window): verify-evidence of a month the retention cut into would find its rollups apart.
    std::vector<std::string> months = {month_of(end - o_.retention_days / 2 * kDay)};
    if (month_of(end - 15 * kDay) != months.front()) {
        months.push_back(month_of(end - 15 * kDay));
    }
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    out << "steady state: " << o_.devices << " devices x " << o_.days << " days x " << kPerDay
        << " heartbeats/day = " << total * o_.devices << " heartbeats, batches of " << o_.batch
        << "; retention " << o_.retention_days << " days, window " << o_.window_days
        << " days, packed " << o_.pack_after_days << " day(s) after the day ends\n";
    out << "sent " << sent_.load() << ", accepted " << accepted_.load() << "; the purge run "
        << purge_seconds_.size() << " times (daily at 00:30 UTC): " << packed_
        << " batches packed, " << deleted_ << " deleted; all in " << seconds << " s\n";
    const auto steady_from =
        std::min(purge_seconds_.size(), static_cast<std::size_t>(o_.retention_days + 1));
    std::vector<double> steady(purge_seconds_.begin() + static_cast<std::ptrdiff_t>(steady_from),
                               purge_seconds_.end());
    if (steady.empty()) {
        steady = purge_seconds_;
    }
    std::sort(steady.begin(), steady.end());
    if (!steady.empty()) {
        out << std::setprecision(3) << "purge per simulated day (" << steady.size()
            << " days past the retention): mean "
            << std::accumulate(steady.begin(), steady.end(), 0.0) /
                   static_cast<double>(steady.size())
            << " s, median " << steady[steady.size() / 2] << " s, max " << steady.back() << " s\n"
            << std::setprecision(1);
    }
    bool ok = accepted_.load() == sent_.load();
    for (const auto& month : months) {
        const auto check = must(store_->verify_evidence("bench", month), "verify");
        ok = ok && check.ok() && check.signatures_ok == check.batches && check.heartbeats > 0;
        out << "verify-evidence " << month << ": " << check.heartbeats << " heartbeats, "
            << check.signatures_ok << " of " << check.batches << " batch signatures verified, "
            << check.links_checked << " links, "
            << check.problems.size() + check.rollup_differences.size() << " problem(s)\n";
        for (std::size_t i = 0; i < std::min<std::size_t>(3, check.problems.size()); ++i) {
            out << "  problem: " << check.problems[i].what << "\n";
        }
        for (std::size_t i = 0; i < std::min<std::size_t>(3, check.rollup_differences.size());
             ++i) {
            out << "  rollup difference: " << check.rollup_differences[i] << "\n";
        }
    }
    out << figures(end);
    out << (ok ? "result: ok" : "result: FAILED (counts or evidence differ)") << "\n";
    return {ok, out.str()};
}

}  // namespace tally::bench
