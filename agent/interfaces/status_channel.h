#pragma once
// Local IPC between the running agent and `tally-agent status`. Linux/macOS: a Unix socket
// in the state dir; Windows: a named pipe. The payload is the Status JSON (agent/status/).

#include <functional>
#include <optional>
#include <string>

#include <asio/io_context.hpp>

#include "pairing/result.h"

namespace tally::agent {

class StatusChannel {
  public:
    virtual ~StatusChannel() = default;
    //! Agent side: answer each connection with provider()'s JSON. Runs on `io`.
    virtual Result<void> serve(asio::io_context& io, std::function<std::string()> provider) = 0;
    virtual void close() = 0;
    //! Client side: the live status JSON, or nullopt when no agent answers.
    virtual std::optional<std::string> query() = 0;
};

}  // namespace tally::agent
