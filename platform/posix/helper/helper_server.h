#pragma once
// tally-agent-helper's request loop: the only place the device's private key is read and
// TLS is spoken. The resident agent starts the helper for an upload or a pairing step and
// ends it right after (crypto_helper_client.h), so OpenSSL, libcurl and the key cost memory
// for a second per upload, not for the agent's lifetime, and the private key is never in
// the long-lived process (privilege separation, as OpenSSH does).
//
// Requests (crypto_helper_protocol.h): {"exchange", …} ("send this signed request": pair,
// upload, retire; signed_exchange.h) and, for standalone mode's bundle, {"public_key"},
// {"create"}, {"sign", message}; served until the agent closes the socket.

#include <filesystem>

namespace tally::platform {

//! Serves requests on `fd` with the key and TLS session under `state_dir` until EOF; the
//! process exit code.
int serve_helper(int fd, const std::filesystem::path& state_dir);

}  // namespace tally::platform
