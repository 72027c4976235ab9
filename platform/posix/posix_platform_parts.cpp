// The parts Linux and macOS share (see posix_platform_parts.h).

#include "platform/posix/posix_platform_parts.h"

#include <memory>

#include "platform/posix/crypto_helper_client.h"
#include "platform/posix/helper_key_store.h"
#include "platform/posix/helper_program.h"
#include "platform/posix/helper_sender.h"
#include "platform/posix/posix_file_system.h"
#include "platform/posix/unix_status_channel.h"

namespace tally::platform {

void add_posix_parts(agent::PlatformParts& parts, const agent::Config& config,
                     const std::filesystem::path& state_dir,
                     const std::filesystem::path& agent_dir) {
    // The key, OpenSSL and libcurl live in tally-agent-helper, a short-lived process started
    // per upload or pairing step (platform/posix/helper/).
    auto helper = std::make_shared<CryptoHelperClient>(
        state_dir, find_helper_program(config.helper_path, agent_dir));
    parts.keys = std::make_unique<HelperKeyStore>(state_dir, helper);
    // No HttpTransport: every request the agent sends is signed, one helper run each.
    auto sender = std::make_unique<HelperSender>(helper);
    // Defaults from the config; the core reconfigures (e.g. adds the pin) as it needs.
    agent::TransportOptions options;
    options.ca_file = config.ca_file;
    options.proxy = config.proxy;
    options.proxy_credentials_file = config.proxy_credentials_file;
    sender->configure(options);
    parts.sender = std::move(sender);
    parts.status = std::make_unique<UnixStatusChannel>(state_dir);
    parts.files = std::make_unique<PosixFileSystem>();
}

}  // namespace tally::platform
