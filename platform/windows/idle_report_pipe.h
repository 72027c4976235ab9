#pragma once
// The service end of the idle pipe (`\\.\pipe\tally-agent-idle`, `tally-agent-idle-<hash>`
// for other state dirs): message mode, inbound only, remote clients rejected, DACL
// SYSTEM/Administrators full and interactive users FILE_WRITE_DATA only (not GENERIC_WRITE,
// whose FILE_CREATE_PIPE_INSTANCE would let a user serve the name). Served on the agent's
// pipe thread (pipe_server_thread.h, shared with the status pipe): for each client it reads
// one report within 1 s, asks the pipe which session the client runs in and hands both to
// IdleReports, which refuses a report for another session.

#include <memory>
#include <string>

#include "pairing/result.h"
#include "platform/windows/idle_reports.h"
#include "platform/windows/pipe_server_thread.h"
#include "platform/windows/unique_handle.h"

namespace tally::platform {

inline constexpr wchar_t kIdlePipeSddl[] =
    L"D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x00100082;;;IU)";

//! The idle pipe's name next to the status pipe's (status name + "-idle" before the hash).
std::wstring idle_pipe_name_for(const std::wstring& status_pipe_name);

class IdleReportPipe {
  public:
    //! pipes: the thread that serves the pipe (null: one of its own).
    IdleReportPipe(std::wstring name, std::shared_ptr<IdleReports> reports,
                   std::shared_ptr<PipeServerThread> pipes = nullptr);
    ~IdleReportPipe();
    IdleReportPipe(const IdleReportPipe&) = delete;
    IdleReportPipe& operator=(const IdleReportPipe&) = delete;

    //! Creates the first instance (refused when the name is already served) and serves it.
    Result<void> serve();
    void close();
    const std::wstring& name() const { return name_; }

  private:
    void handle_client(HANDLE pipe);

    std::wstring name_;
    std::shared_ptr<IdleReports> reports_;
    std::shared_ptr<PipeServerThread> pipes_;
    bool serving_ = false;
};

//! The session of the process at the other end of a server pipe handle.
Result<std::uint32_t> pipe_client_session(HANDLE pipe);

}  // namespace tally::platform
