#pragma once
// Shared by the server fuzz targets: a real SqliteStore in a temp dir (/dev/shm when it
// exists), a tenant "acme" with a pairing code, and one paired device with a software key,
// so fuzzed bodies can be signed and reach the code behind the signature check.

#include <memory>
#include <string>

#include "pairing/crypto.h"
#include "server/ingest/options.h"
#include "server/store/sqlite_store.h"

namespace tally::fuzz {

constexpr std::int64_t kNow = 1794744000;  // 2026-11-15T12:00:00Z

struct FuzzServer {
    std::unique_ptr<server::SqliteStore> store;
    server::IngestOptions options;
    pairing::SoftwareKey key;
    std::string device_id;
    std::string code;  //!< a valid pairing code of tenant acme (many uses)
};

//! Built once per process.
FuzzServer& fuzz_server();

}  // namespace tally::fuzz
