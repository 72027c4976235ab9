#pragma once
// An HTTPS proxy's own certificate (the TLS between the helper and the proxy, inside which
// the CONNECT tunnel to tally-server runs its own verified TLS). It is verified against the
// system store and, when `ca_file` is set, that bundle too: a corporate proxy's CA is either
// in the system store or added to `ca_file` beside the server's (CURLOPT_PROXY_CAINFO_BLOB).

#include <string>

#include "pairing/result.h"

namespace tally::platform {

//! Whether the proxy libcurl will use is an https:// one: `configured` (the `proxy` key) or,
//! when that is empty, what libcurl reads from https_proxy / HTTPS_PROXY / all_proxy /
//! ALL_PROXY.
bool https_proxy_in_use(const std::string& configured);

//! `ca_file`'s certificates followed by the system bundle's (`system_bundle`, may be empty
//! or missing: then only `ca_file`'s). An error names an unreadable `ca_file`.
Result<std::string> proxy_trust_bundle(const std::string& ca_file,
                                       const std::string& system_bundle);

}  // namespace tally::platform
