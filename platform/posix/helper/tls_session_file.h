#pragma once
// The TLS session kept between helper runs: one file, mode 0600, holding the session's
// "host:port pin trust" key line and the DER of the OpenSSL SSL_SESSION. It carries a
// resumption secret, so it is never logged and never readable by others.

#include <filesystem>
#include <optional>
#include <string>

namespace tally::platform {

//! The DER session stored for `key`; nullopt when there is none, it belongs to another
//! key, or the file is not a private regular file of ours.
std::optional<std::string> load_tls_session(const std::filesystem::path& file,
                                            const std::string& key);
//! Replaces the stored session (atomic, 0600). Failures are ignored by design: the next
//! run then makes a full handshake.
void store_tls_session(const std::filesystem::path& file, const std::string& key,
                       const std::string& der);

}  // namespace tally::platform
