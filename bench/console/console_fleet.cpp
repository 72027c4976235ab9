// The console bench's fleet (see console_fleet.h).

#include "bench/console/console_fleet.h"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/auth/admin_token.h"

namespace tally::bench {
namespace {

template <class T>
T must(tally::Result<T> r, const char* what) {
    if (!r) {
        throw std::runtime_error(std::string(what) + ": " + r.error().message);
    }
    if constexpr (!std::is_void_v<T>) {
        return std::move(*r);
    }
}

std::string device_id(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "dev-%07d", i);
    return buf;
}

pairing::DeviceFacts facts(int i) {
    static const char* roles[] = {"workstation", "workstation", "workstation", "server", "kiosk"};
    char host[48];
    std::snprintf(host, sizeof host, "host-%07d.vendor.example", i);
    return {host,
            "linux",
            "12",
            "1.0",
            i % 5 == 4 ? "personal" : "business",
            roles[i % 5],
            std::string(64, 'a')};
}

void pair_all(server::Store& store, const std::string& tenant, int first, int count,
              std::int64_t now) {
    const auto code_hash = pairing::hex_encode(pairing::sha256("code-" + tenant));
    must(store.add_pairing_code({tenant, code_hash, count + 1, now + 86400 * 365}, now),
         "pairing code");
    for (int i = first; i < first + count; ++i) {
        std::string key(65, '\0');
        key[0] = 4;
        const auto id = device_id(i);
        std::copy(id.begin(), id.end(), key.begin() + 1);
        must(store.pair_device({code_hash, key, facts(i), id, now, ""}), "pair");
    }
}

//! Device i's heartbeats: most devices have one user (60% as many users as devices, so
//! some users have two), every 7th none (standalone), each beat on another day.
void send(server::Store& store, int i, const ConsoleFleetOptions& o, int users) {
    std::vector<server::AcceptedHeartbeat> batch;
    std::string prev = pairing::kGenesisPrev;
    for (int h = 0; h < o.heartbeats; ++h) {
        pairing::Heartbeat hb;
        hb.seq = static_cast<std::uint64_t>(h + 1);
        const int day = (i + h * 5) % o.days;
        hb.start = o.month_start + day * 86400 + 9 * 3600 + (i % 600) * 60;
        hb.end = hb.start + 300;
        hb.boot_id = "boot";
        hb.device_active_minutes = 5;
        if (i % 7 != 0) {
            hb.users.push_back(
                {"user" + std::to_string(i % users) + "@vendor.example", false, "x11", 5});
        }
        hb.prev = prev;
        auto bytes = pairing::encode_heartbeat(hb);
        prev = pairing::chain_hash(bytes);
        batch.push_back({std::move(bytes), std::move(hb), false});
    }
    must(store.store_batch(device_id(i), batch, {}, batch.back().decoded.end + 60), "store");
}

}  // namespace

std::string build_console_fleet(server::Store& store, const ConsoleFleetOptions& o) {
    const auto now = o.month_start;
    must(store.add_tenant("vendor", now - 86400 * 400), "tenant");
    for (const auto* t : {"small-a", "small-b", "small-c"}) {
        must(store.add_tenant(t, now - 86400 * 40), "tenant");
    }
    pair_all(store, "vendor", 0, o.devices, now - 86400 * 30);
    const int users = std::max(1, o.devices * 6 / 10);
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t) {
        threads.emplace_back([&] {
            for (int i = next++; i < o.devices; i = next++) {
                send(store, i, o, users);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const auto token = server::generate_admin_token();
    must(store.create_admin_token({server::hash_admin_token(token), std::nullopt, "bench", {}},
                                  now - 86400),
         "admin token");
    return token;
}

}  // namespace tally::bench
