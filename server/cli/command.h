#pragma once
// What every tally-server command shares: exit codes, the data dir and its store, and
// the command entry points (one file per command group).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "pairing/result.h"
#include "server/cli/args.h"
#include "server/store/sqlite_store.h"
#include "server/store/store.h"

namespace tally::server::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 64;
constexpr const char* kDefaultDataDir = "/var/lib/tally-server";

//! Prints "tally-server: <message>" on stderr and returns the exit code for the error
//! (64 for code "usage", else 1).
int fail(const Error& error);
//! A bad_request from a use case is the command line's fault: the same error as "usage"
//! (exit 64); every other error unchanged.
Error as_usage(const Error& error);

//! --data-dir (default /var/lib/tally-server), created 0700 if missing.
Result<std::filesystem::path> data_dir(const Args& args);
//! Opens DIR/tally.db.
Result<std::unique_ptr<SqliteStore>> open_store(const std::filesystem::path& dir);

std::int64_t now_seconds();
//! Control characters replaced by '?': agent-supplied text (hostnames, principals) must not
//! break one-record-per-line output.
std::string printable(const std::string& text);
//! The store --db names (server/store/open_store.h), else open_store(dir).
Result<std::unique_ptr<Store>> open_chosen_store(const Args& args,
                                                 const std::filesystem::path& dir);
//! The store --db names (no data dir made), else data_dir(args) then open_store.
Result<std::unique_ptr<Store>> store_for(const Args& args);
//! Option --`name` (default `fallback`) as a whole number of days from 1 to 3650 (usage error).
Result<std::int64_t> parse_days(const Args& args, const std::string& name,
                                const std::string& fallback);

// Command groups; `words` are the arguments after "tally-server".
int run_serve(const std::vector<std::string>& words);
int run_tenant(const std::vector<std::string>& words);
int run_pairing_code(const std::vector<std::string>& words);
int run_admin_token(const std::vector<std::string>& words);
int run_usage(const std::vector<std::string>& words);
int run_device(const std::vector<std::string>& words);
int run_group(const std::vector<std::string>& words);
int run_subscription(const std::vector<std::string>& words);
int run_user(const std::vector<std::string>& words);
int run_purge(const std::vector<std::string>& words);
int run_verify_evidence(const std::vector<std::string>& words);  // verify_evidence_command.cpp

}  // namespace tally::server::cli
