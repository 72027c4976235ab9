#pragma once
// agent::StatusChannel over a Unix stream socket `<state>/status.sock` (mode 0600): each
// connection gets the status JSON, then the agent closes it. query() is the client side.

#include <chrono>
#include <filesystem>
#include <memory>

#include "agent/interfaces/status_channel.h"

namespace tally::platform {

class UnixStatusChannel : public agent::StatusChannel {
  public:
    explicit UnixStatusChannel(const std::filesystem::path& state_dir,
                               std::chrono::milliseconds query_timeout = std::chrono::seconds(2));
    ~UnixStatusChannel() override;

    //! Refuses when another agent answers on the socket; removes a stale socket file.
    Result<void> serve(asio::io_context& io, std::function<std::string()> provider) override;
    //! Call on the io_context's thread (or after it stopped), before the io_context is gone.
    void close() override;
    std::optional<std::string> query() override;

    const std::filesystem::path& socket_path() const { return path_; }

  private:
    struct Server;
    std::filesystem::path path_;
    std::chrono::milliseconds query_timeout_;
    std::shared_ptr<Server> server_;
};

}  // namespace tally::platform
