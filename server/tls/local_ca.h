#pragma once
// A local certificate authority for tally-server when no TLS material is given: an EC P-256
// CA valid 10 years and a server certificate for 127.0.0.1, ::1 and localhost signed by it.
// Files: DIR/ca.pem, DIR/ca.key, DIR/server.pem, DIR/server.key (keys 0600). Agents verify
// the server with ca.pem (`--ca-file`); nothing here turns verification off.

#include <cstdint>
#include <filesystem>
#include <string>

#include "pairing/result.h"

namespace tally::server {

struct TlsFiles {
    std::filesystem::path ca_cert;
    std::filesystem::path server_cert;
    std::filesystem::path server_key;
};

//! The file names under a tls dir.
TlsFiles local_tls_files(const std::filesystem::path& tls_dir);
//! True when server.pem and server.key both exist.
bool local_tls_present(const std::filesystem::path& tls_dir);
//! Creates the CA and the server certificate (overwrites nothing: fails if files exist).
Result<TlsFiles> create_local_tls(const std::filesystem::path& tls_dir, std::int64_t now);

}  // namespace tally::server
