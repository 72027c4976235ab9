#pragma once
// Agent configuration: a JSON file (DESIGN.md §6) overlaid by TALLY_<KEY> environment
// variables. Unknown keys and bad values are errors that name the key.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/interfaces/file_system.h"
#include "pairing/result.h"

namespace tally::agent {

struct Config {
    // Server and pairing
    std::string mode = "paired";  //!< paired|standalone
    std::string server_url;       //!< https://host[:port]
    std::string ca_file;          //!< PEM bundle; empty: system trust store
    std::string proxy;            //!< http(s)|socks5h://[user:pass@]host:port; empty: environment
    std::string proxy_credentials_file;  //!< 0600 file "user:password" for the proxy
    std::string helper_path;  //!< tally-agent-helper; empty: beside tally-agent, then libexec
    bool pin_server_key = false;
    std::string device_type = "business";  //!< business|personal
    std::string role = "workstation";      //!< workstation|server|kiosk

    // Timing (seconds; ≥ 1 so tests can run fast)
    std::uint32_t sample_interval_s = 60;
    std::uint32_t heartbeat_interval_s = 300;
    std::uint32_t upload_interval_s = 3600;
    std::uint32_t idle_threshold_s = 300;

    // Spool and batches
    std::uint32_t batch_max = 500;
    std::uint64_t spool_max_bytes = 32ull << 20;
    std::uint32_t standalone_retention_days = 400;

    // Identity
    std::string user_identity = "plain";  //!< plain|hashed
    std::string user_identity_salt;       //!< tenant salt for "hashed"

    // Platform source paths (tests point these at files they own)
    std::string utmp_path;  //!< empty: the OS default
    std::string dev_dir = "/dev";
    std::string machine_id_path;    //!< empty: /etc/machine-id
    std::string product_uuid_path;  //!< empty: /sys/class/dmi/id/product_uuid
    std::uint32_t uid_min = 1000;

    std::string log_level = "info";  //!< error|warn|info|debug

    bool operator==(const Config&) const = default;
};

//! Reads `path` (a missing file is fine when `must_exist` is false), then applies
//! TALLY_<KEY> from `env`. Errors name the key and the problem. With `files`, the file is
//! read through FileSystem::read_file (POSIX: no symbolic link followed on its path); without,
//! with the standard library (before the platform parts exist).
Result<Config> load_config(const std::filesystem::path& path, bool must_exist,
                           const std::map<std::string, std::string>& env,
                           const FileSystem* files = nullptr);

//! The process environment as a map (for load_config).
std::map<std::string, std::string> process_environment();

//! Whether the config holds a secret (proxy credentials in the URL, the identity salt).
bool holds_secrets(const Config& config);

//! Writes `config` as JSON (used by `pair` to remember the server URL and CA): mode 0600
//! when it holds a secret or the file was owner-only before.
Result<void> save_config(const Config& config, const std::filesystem::path& path);

//! Every config key, for error messages and docs.
const std::vector<std::string>& config_keys();

}  // namespace tally::agent
