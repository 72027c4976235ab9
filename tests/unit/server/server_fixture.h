#pragma once
// Test fixture for tally-server: a temp data dir with a real SQLite store, a tenant with a
// pairing code, and helpers that build real signed pair requests and gzip batches with
// pairing::SoftwareKey, exactly as an agent would.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pairing/batch.h"
#include "pairing/crypto.h"
#include "pairing/heartbeat.h"
#include "server/ingest/options.h"
#include "server/ingest/upload_handler.h"
#include "server/store/sqlite_store.h"

namespace tally::server::test {

//! A directory removed with everything in it at scope exit.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

//! 2026-11-15T12:00:00Z: the fixed server clock of the tests.
constexpr std::int64_t kNow = 1794744000;

struct SignedBody {
    std::string body;
    std::string signature;  //!< base64url r||s
};

//! A simulated agent: its key, device id and hash chain.
struct TestDevice {
    pairing::SoftwareKey key;
    std::string device_id;
    std::string prev = pairing::kGenesisPrev;
    std::uint64_t seq = 0;

    TestDevice();
    //! The next heartbeat in the chain, ending at `end`, 5 minutes long.
    std::string next_heartbeat(std::int64_t end, std::uint32_t device_minutes = 5,
                               std::vector<pairing::UserActivity> users = {});
    SignedBody batch(const std::vector<std::string>& heartbeats,
                     const std::vector<pairing::Gap>& gaps = {}) const;
    SignedBody sign(std::string body) const;
};

SignedBody pair_body(const TestDevice& device, const std::string& code, std::int64_t time = kNow,
                     const std::string& role = "workstation");
pairing::UserActivity user(const std::string& principal, std::uint32_t minutes, bool local = false);

class ServerFixture {
  public:
    ServerFixture();

    //! Creates a code for `tenant` (hash stored), returns the code.
    std::string make_code(const std::string& tenant = "acme", std::int64_t uses = 5,
                          std::int64_t expires_at = kNow + 86400);
    //! Pairs `device` (sets its device_id); REQUIREs success.
    void pair(TestDevice& device, const std::string& role = "workstation");
    Result<UploadOutcome> upload(const TestDevice& device, const SignedBody& body,
                                 std::int64_t now = kNow);
    std::int64_t count(const std::string& sql);
    //! The counted heartbeats' exact bytes, read back from the evidence batches (schema 10),
    //! by device and seq.
    std::vector<std::string> counted_bytes();
    //! How many heartbeats are counted.
    std::int64_t counted() { return static_cast<std::int64_t>(counted_bytes().size()); }

    TempDir dir;
    std::unique_ptr<SqliteStore> store;
    IngestOptions options;
    std::string code;  //!< a 5-use code of tenant "acme"
};

}  // namespace tally::server::test
