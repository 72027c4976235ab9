// The fuzz targets' server state (see fuzz_store.h).

#include "fuzz_store.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "pairing/bytes.h"
#include "pairing/pairing_code.h"

namespace tally::fuzz {
namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz setup failed: %s\n", what);
    std::abort();
}

std::unique_ptr<FuzzServer> make() {
    namespace fs = std::filesystem;
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path dir = base / ("tally-fuzz-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto key = pairing::SoftwareKey::generate();
    if (!key)
        die("key");
    auto f = std::make_unique<FuzzServer>(FuzzServer{nullptr, {}, std::move(*key), {}, {}});
    auto store = server::SqliteStore::open((dir / "tally.db").string());
    if (!store)
        die("store");
    f->store = std::move(*store);
    if (!f->store->add_tenant("acme", kNow - 86400))
        die("tenant");
    f->code = pairing::generate_pairing_code();
    auto canonical = pairing::normalize_pairing_code(f->code);
    if (!canonical)
        die("code");
    const auto hash = pairing::hex_encode(pairing::sha256(*canonical));
    if (!f->store->add_pairing_code({"acme", hash, 1000000000, kNow + 86400}, kNow - 60))
        die("code");
    server::PairAttempt attempt;
    attempt.code_hash = hash;
    const auto pub = f->key.public_key();
    attempt.public_key.assign(pub.begin(), pub.end());
    attempt.facts = {"fuzz", "linux", "", "0.1.0", "business", "workstation", std::string(64, '0')};
    attempt.new_device_id = "dev_fuzz";
    attempt.now = kNow;
    auto device = f->store->pair_device(attempt);
    if (!device)
        die("pair");
    f->device_id = device->id;
    return f;
}

}  // namespace

FuzzServer& fuzz_server() {
    static std::unique_ptr<FuzzServer> server = make();
    return *server;
}

}  // namespace tally::fuzz
