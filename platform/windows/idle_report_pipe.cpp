// The idle pipe's server end (see idle_report_pipe.h).

#include "platform/windows/idle_report_pipe.h"

#include <windows.h>

#include "agent/log.h"
#include "platform/windows/private_acl.h"
#include "platform/windows/unique_handle.h"
#include "platform/windows/win_error.h"

#ifndef PIPE_REJECT_REMOTE_CLIENTS
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008
#endif

namespace tally::platform {
namespace {

constexpr DWORD kReadTimeoutMs = 1000;  // the reporter writes as soon as it connected

HANDLE create_instance(const std::wstring& name, bool first, SECURITY_ATTRIBUTES* sa) {
    const DWORD open =
        PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
    return CreateNamedPipeW(
        name.c_str(), open,
        PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
        PIPE_UNLIMITED_INSTANCES, 0, 256, 0, sa);
}

//! Waits for an overlapped operation; false (I/O cancelled) on timeout.
bool finish(HANDLE pipe, OVERLAPPED& ov, DWORD timeout_ms, DWORD& bytes) {
    if (WaitForSingleObject(ov.hEvent, timeout_ms) != WAIT_OBJECT_0) {
        CancelIo(pipe);
        GetOverlappedResult(pipe, &ov, &bytes, TRUE);
        return false;
    }
    return GetOverlappedResult(pipe, &ov, &bytes, FALSE) != 0;
}

//! Reads one message of at most kMaxIdleReportBytes; an error names what was wrong.
Result<std::string> read_message(HANDLE pipe) {
    char buf[kMaxIdleReportBytes + 1];
    UniqueHandle event(CreateEventW(nullptr, TRUE, FALSE, nullptr));
    OVERLAPPED ov{};
    ov.hEvent = event.get();
    DWORD got = 0;
    BOOL ok = ReadFile(pipe, buf, sizeof buf, &got, &ov);
    DWORD err = ok ? 0 : GetLastError();
    if (!ok && err == ERROR_IO_PENDING) {
        ok = finish(pipe, ov, kReadTimeoutMs, got);
        err = ok ? 0 : GetLastError();
        if (!ok && err != ERROR_MORE_DATA)
            return make_error("idle-report", "no idle report within 1 s");
    }
    if (!ok && err == ERROR_MORE_DATA)
        return make_error("idle-report", "idle report longer than " +
                                             std::to_string(kMaxIdleReportBytes) + " bytes");
    if (!ok)
        return make_error("idle-report", win_error("read idle report", err));
    return std::string(buf, got);
}

}  // namespace

std::wstring idle_pipe_name_for(const std::wstring& status_pipe_name) {
    const std::wstring base = L"\\\\.\\pipe\\tally-agent";
    if (status_pipe_name.rfind(base, 0) != 0)
        return status_pipe_name + L"-idle";
    return base + L"-idle" + status_pipe_name.substr(base.size());
}

Result<std::uint32_t> pipe_client_session(HANDLE pipe) {
    ULONG session = 0;
    if (GetNamedPipeClientSessionId(pipe, &session))
        return static_cast<std::uint32_t>(session);
    ULONG pid = 0;
    if (!GetNamedPipeClientProcessId(pipe, &pid))
        return make_error("idle-report", last_error("GetNamedPipeClientProcessId"));
    DWORD by_pid = 0;
    if (!ProcessIdToSessionId(pid, &by_pid))
        return make_error("idle-report", last_error("ProcessIdToSessionId"));
    return static_cast<std::uint32_t>(by_pid);
}

IdleReportPipe::IdleReportPipe(std::wstring name, std::shared_ptr<IdleReports> reports,
                               std::shared_ptr<PipeServerThread> pipes)
    : name_(std::move(name)),
      reports_(std::move(reports)),
      pipes_(pipes ? std::move(pipes) : std::make_shared<PipeServerThread>()) {}

IdleReportPipe::~IdleReportPipe() {
    close();
}

Result<void> IdleReportPipe::serve() {
    // FILE_FLAG_FIRST_PIPE_INSTANCE refuses a second server on Windows; wine 8 does not
    // enforce it, so ask first whether someone serves the name.
    if (WaitNamedPipeW(name_.c_str(), 1))
        return make_error("busy", "the idle pipe " + narrow(name_) + " is already served");
    auto sa =
        std::make_shared<Result<SecurityAttributes>>(SecurityAttributes::from_sddl(kIdlePipeSddl));
    if (!*sa)
        return sa->error();
    PipeEndpoint endpoint;
    endpoint.name = name_;
    endpoint.create = [name = name_, sa](bool first) {
        return create_instance(name, first, (*sa)->get());
    };
    endpoint.serve = [this](HANDLE pipe) { handle_client(pipe); };
    if (auto added = pipes_->add(std::move(endpoint)); !added)
        return added.error();
    serving_ = true;
    return {};
}

void IdleReportPipe::handle_client(HANDLE pipe) {
    auto text = read_message(pipe);
    auto session = pipe_client_session(pipe);
    if (!session) {
        agent::log_warn("idle", session.error().message);
        return;
    }
    const std::string from = "idle pipe client in session " + std::to_string(*session) + ": ";
    if (!text) {
        agent::log_warn("idle", from + text.error().message);
        return;
    }
    auto report = parse_idle_report(*text);
    if (!report) {
        agent::log_warn("idle", from + report.error().message);
        return;
    }
    if (auto ok = reports_->accept(*report, *session, IdleReports::Clock::now()); !ok) {
        agent::log_warn("idle", ok.error().message);
        return;
    }
    agent::log_debug("idle", "session " + std::to_string(report->session) + " reports " +
                                 std::to_string(report->idle_ms) + " ms since the last input");
}

void IdleReportPipe::close() {
    if (!serving_)
        return;
    serving_ = false;
    pipes_->remove(name_);
}

}  // namespace tally::platform
