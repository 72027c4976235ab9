// platform/windows/idle_report_pipe on a real named pipe (under wine here): a report for the
// client's own session (GetNamedPipeClientSessionId, else ProcessIdToSessionId) is recorded;
// one claiming another session, garbage and an oversized message are refused. The pipe
// serves clients one after another, so once the last (good) report is seen every earlier
// one has been judged. A client that writes and closes before the server connected
// (ERROR_NO_DATA) is read too.

#include <catch2/catch.hpp>

#include <windows.h>

#include <filesystem>
#include <thread>

#include "platform/windows/idle_report_pipe.h"
#include "platform/windows/own_session_idle.h"
#include "platform/windows/session_reporter_launcher.h"
#include "platform/windows/unique_handle.h"

using namespace tally::platform;
using namespace std::chrono_literals;

namespace {

std::uint32_t own_session() {
    DWORD s = 0;
    REQUIRE(ProcessIdToSessionId(GetCurrentProcessId(), &s));
    return s;
}

//! flush: wait until the server read it (as the reporter does); else close at once.
void send(const std::wstring& pipe, const std::string& text, bool flush = true) {
    UniqueHandle h(CreateFileW(pipe.c_str(), FILE_WRITE_DATA | SYNCHRONIZE, 0, nullptr,
                               OPEN_EXISTING, 0, nullptr));
    if (!h && GetLastError() == ERROR_PIPE_BUSY && WaitNamedPipeW(pipe.c_str(), 5000))
        h.reset(CreateFileW(pipe.c_str(), FILE_WRITE_DATA | SYNCHRONIZE, 0, nullptr, OPEN_EXISTING,
                            0, nullptr));
    REQUIRE(h);
    DWORD wrote = 0;
    REQUIRE(WriteFile(h.get(), text.data(), static_cast<DWORD>(text.size()), &wrote, nullptr));
    if (flush)
        FlushFileBuffers(h.get());
}

//! Waits (bounded) until the pipe thread recorded a report for the session.
std::optional<std::int64_t> seen(const IdleReports& reports, std::uint32_t session) {
    for (int i = 0; i < 200; ++i) {
        if (auto v = reports.fresh_idle_s(session, IdleReports::Clock::now()))
            return v;
        std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("idle pipe names sit next to the status pipe's") {
    CHECK(idle_pipe_name_for(L"\\\\.\\pipe\\tally-agent") == L"\\\\.\\pipe\\tally-agent-idle");
    CHECK(idle_pipe_name_for(L"\\\\.\\pipe\\tally-agent-0123abcd") ==
          L"\\\\.\\pipe\\tally-agent-idle-0123abcd");
}

TEST_CASE("idle pipe: own-session reports recorded, others refused") {
    const std::wstring name =
        L"\\\\.\\pipe\\tally-agent-idle-unit-" + std::to_wstring(GetCurrentProcessId());
    auto reports = std::make_shared<IdleReports>(60s);
    IdleReportPipe pipe(name, reports);
    REQUIRE(pipe.serve());
    IdleReportPipe second(name, reports);
    CHECK_FALSE(second.serve());

    const std::uint32_t me = own_session();
    const std::uint32_t other = me + 1;
    // A client that closes before the server connected (ERROR_NO_DATA) is still read.
    send(name, format_idle_report({me, 3000}), false);
    CHECK(seen(*reports, me) == 3);
    reports->forget(me);
    send(name, format_idle_report({other, 1000}));  // a user reporting for someone else
    send(name, "garbage\n");
    send(name, std::string(200, 'x'));
    send(name, format_idle_report({me, 7000}));
    CHECK(seen(*reports, me) == 7);
    CHECK_FALSE(reports->fresh_idle_s(other, IdleReports::Clock::now()));
    pipe.close();
}

TEST_CASE("the launcher starts a reporter that reports, and ends it") {
    // The tally-agent.exe of this build: next to this test (mingw-w64: build-windows/bin),
    // else where CMake put it (MSVC). Wine's WTSQueryUserToken hands out this process's own
    // token, so under wine this runs the real launch path (token, CreateProcessAsUserW
    // suspended, job object, resume) in our own session. Natively it needs SeTcbPrivilege
    // (LocalSystem): without it the error must name WTSQueryUserToken.
    wchar_t self[MAX_PATH] = {0};
    REQUIRE(GetModuleFileNameW(nullptr, self, MAX_PATH) > 0);
    std::filesystem::path agent = std::filesystem::path(self).parent_path() / "tally-agent.exe";
    if (!std::filesystem::exists(agent))
        agent = std::filesystem::path(TALLY_AGENT_EXE_PATH);
    REQUIRE(std::filesystem::exists(agent));
    const std::wstring name =
        L"\\\\.\\pipe\\tally-agent-idle-launch-" + std::to_wstring(GetCurrentProcessId());
    auto reports = std::make_shared<IdleReports>(60s);
    IdleReportPipe pipe(name, reports);
    REQUIRE(pipe.serve());
    SessionReporterLauncher launcher(name, 1000, agent.wstring());
    auto process = launcher.launch(own_session());
    if (!process && process.error().message.find("(error 1314)") != std::string::npos) {
        CHECK_THAT(process.error().message, Catch::Contains("WTSQueryUserToken"));
        WARN("not LocalSystem here: " + process.error().message);
        return;
    }
    REQUIRE(process);
    CHECK((*process)->alive());
    CHECK(seen(*reports, own_session()));
    process->reset();  // terminated and reaped
    pipe.close();
}

TEST_CASE("probe's own session takes this process's GetLastInputInfo, others keep WTS") {
    auto own = measure_own_session_idle();
    REQUIRE(own);
    CHECK(own->session == own_session());
    std::vector<tally::agent::SessionSample> samples(2);
    samples[0].id = std::to_string(own_session());
    samples[1].id = std::to_string(own_session() + 1);
    for (auto& s : samples) {
        s.idle_s = 12345678;  // what WTS said
        s.idle_source = "wts";
    }
    apply_own_session_idle(samples);
    if (own_session() == 0) {
        CHECK(samples[0].idle_source == "wts");  // session 0: no user input to speak of
    } else {
        CHECK(samples[0].idle_source == kIdleSourceSessionReporter);
        REQUIRE(samples[0].idle_s);
        CHECK(*samples[0].idle_s != 12345678);  // replaced by this session's own figure
    }
    CHECK(samples[1].idle_source == "wts");
    CHECK(samples[1].idle_s == 12345678);
}
