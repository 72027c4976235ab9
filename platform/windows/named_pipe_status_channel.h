#pragma once
// agent::StatusChannel over a named pipe: `\\.\pipe\tally-agent` for the default state dir
// (`tally-agent-<hash>` for any other, so agents with their own state dirs never meet).
// The DACL: SYSTEM and Administrators full, interactive users read, network logons denied;
// PIPE_REJECT_REMOTE_CLIENTS too. A thread waits for clients; each gets the status JSON,
// made by the provider on the io_context's thread, then the pipe is disconnected.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "agent/interfaces/status_channel.h"

namespace tally::platform {

//! The pipe's SDDL (see above).
inline constexpr wchar_t kPipeSddl[] = L"D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;IU)";

std::wstring pipe_name_for(const std::filesystem::path& state_dir,
                           const std::filesystem::path& default_state_dir);

class NamedPipeStatusChannel : public agent::StatusChannel {
  public:
    explicit NamedPipeStatusChannel(std::wstring pipe_name,
                                    std::chrono::milliseconds query_timeout = std::chrono::seconds(2));
    ~NamedPipeStatusChannel() override;

    //! Refuses when another agent already serves this pipe name.
    Result<void> serve(asio::io_context& io, std::function<std::string()> provider) override;
    void close() override;
    std::optional<std::string> query() override;
    const std::wstring& name() const { return name_; }

  private:
    void loop(void* first_instance, asio::io_context& io, std::function<std::string()> provider);

    std::wstring name_;
    std::chrono::milliseconds query_timeout_;
    std::shared_ptr<std::atomic<bool>> stop_ = std::make_shared<std::atomic<bool>>(false);
    std::thread thread_;
};

}  // namespace tally::platform
