#pragma once
// agent::StatusChannel over a named pipe: `\\.\pipe\tally-agent` for the default state dir
// (`tally-agent-<hash>` for any other, so agents with their own state dirs never meet).
// The DACL: SYSTEM and Administrators full, interactive users read, network logons denied;
// PIPE_REJECT_REMOTE_CLIENTS too. The agent's pipe thread (pipe_server_thread.h, shared with
// the idle pipe) waits for clients; each gets the status JSON, made by the provider on the
// io_context's thread, then the pipe is disconnected.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "agent/interfaces/status_channel.h"
#include "platform/windows/pipe_server_thread.h"

namespace tally::platform {

//! The pipe's SDDL (see above).
inline constexpr wchar_t kPipeSddl[] = L"D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;IU)";

std::wstring pipe_name_for(const std::filesystem::path& state_dir,
                           const std::filesystem::path& default_state_dir);

class NamedPipeStatusChannel : public agent::StatusChannel {
  public:
    //! pipes: the thread that serves the pipe (null: one of its own).
    explicit NamedPipeStatusChannel(
        std::wstring pipe_name, std::chrono::milliseconds query_timeout = std::chrono::seconds(2),
        std::shared_ptr<PipeServerThread> pipes = nullptr);
    ~NamedPipeStatusChannel() override;

    //! Refuses when another agent already serves this pipe name.
    Result<void> serve(asio::io_context& io, std::function<std::string()> provider) override;
    void close() override;
    std::optional<std::string> query() override;
    const std::wstring& name() const { return name_; }

  private:
    std::wstring name_;
    std::chrono::milliseconds query_timeout_;
    std::shared_ptr<PipeServerThread> pipes_;
    bool serving_ = false;
};

}  // namespace tally::platform
