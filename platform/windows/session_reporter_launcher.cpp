// Starting a reporter in a user's session (see session_reporter_launcher.h).

#include "platform/windows/session_reporter_launcher.h"

#include <windows.h>

#include <wtsapi32.h>

#include <vector>

#include "platform/windows/win_error.h"

namespace tally::platform {
namespace {

class JobReporterProcess : public ReporterProcess {
  public:
    explicit JobReporterProcess(UniqueHandle process) : process_(std::move(process)) {}
    ~JobReporterProcess() override {
        if (alive()) {
            TerminateProcess(process_.get(), 0);
            WaitForSingleObject(process_.get(), 5000);
        }
    }
    bool alive() override { return WaitForSingleObject(process_.get(), 0) == WAIT_TIMEOUT; }

  private:
    UniqueHandle process_;
};

HANDLE make_kill_on_close_job() {
    HANDLE job = CreateJobObjectW(nullptr, nullptr);
    if (job == nullptr)
        return nullptr;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    return job;
}

std::wstring own_exe() {
    std::vector<wchar_t> buf(MAX_PATH);
    for (;;) {
        const DWORD n = GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
        if (n == 0)
            return {};
        if (n < buf.size())
            return std::wstring(buf.data(), n);
        buf.resize(buf.size() * 2);
    }
}

}  // namespace

std::wstring reporter_command_line(const std::wstring& exe, const std::wstring& pipe_name,
                                   std::uint32_t interval_ms) {
    return L"\"" + exe + L"\" __session-reporter --pipe " + pipe_name + L" --interval-ms " +
           std::to_wstring(interval_ms);
}

SessionReporterLauncher::SessionReporterLauncher(std::wstring pipe_name, std::uint32_t interval_ms,
                                                 std::wstring exe)
    : pipe_name_(std::move(pipe_name)),
      interval_ms_(interval_ms),
      exe_(exe.empty() ? own_exe() : std::move(exe)),
      job_(make_kill_on_close_job()) {}

Result<std::unique_ptr<ReporterProcess>> SessionReporterLauncher::launch(std::uint32_t session) {
    HANDLE raw_token = nullptr;
    if (!WTSQueryUserToken(session, &raw_token))
        return make_error("reporter", last_error("WTSQueryUserToken"));
    UniqueHandle token(raw_token);
    std::wstring cmd = reporter_command_line(exe_, pipe_name_, interval_ms_);
    wchar_t desktop[] = L"winsta0\\default";
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.lpDesktop = desktop;
    PROCESS_INFORMATION pi{};
    if (!CreateProcessAsUserW(token.get(), nullptr, cmd.data(), nullptr, nullptr, FALSE,
                              CREATE_SUSPENDED | CREATE_NO_WINDOW, nullptr, nullptr, &si, &pi))
        return make_error("reporter", last_error("CreateProcessAsUserW"));
    UniqueHandle process(pi.hProcess);
    UniqueHandle thread(pi.hThread);
    if (job_ && !AssignProcessToJobObject(job_.get(), process.get())) {
        const std::string why = last_error("AssignProcessToJobObject");
        TerminateProcess(process.get(), 1);
        return make_error("reporter", why);
    }
    ResumeThread(thread.get());
    return std::unique_ptr<ReporterProcess>(
        std::make_unique<JobReporterProcess>(std::move(process)));
}

}  // namespace tally::platform
