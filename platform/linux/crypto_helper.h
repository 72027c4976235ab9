#pragma once
// The agent's crypto helper process: the only place the device's private key is read and
// TLS is spoken. The resident agent (tally-agent run) starts it for an upload (or a pairing
// step) and ends it right after, so the ~6 MB that OpenSSL's providers, the key and TLS keep
// resident are paid for a second per upload, not for the agent's lifetime; and the private
// key is never in the long-lived process (privilege separation, as OpenSSH does).
//
// Started as `tally-agent __crypto-helper STATE_DIR` with its socket on fd 3; serves
// requests (crypto_helper_protocol.h) until the agent closes the socket or dies.

#include <filesystem>
#include <optional>

namespace tally::platform {

//! The fd the helper's socket is on.
constexpr int kCryptoHelperFd = 3;
constexpr const char* kCryptoHelperArg = "__crypto-helper";

//! When argv is a helper invocation, serves and returns the exit code; else nullopt.
std::optional<int> run_crypto_helper_if_asked(int argc, char** argv);

//! Serves requests on `fd` with the key under `state_dir` until EOF; the exit code.
int serve_crypto_helper(int fd, const std::filesystem::path& state_dir);

}  // namespace tally::platform
