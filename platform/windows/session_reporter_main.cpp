// The per-session reporter process (see session_reporter_main.h).

#include "platform/windows/session_reporter_main.h"

#include <windows.h>

#include <charconv>
#include <iostream>
#include <optional>

#include "agent/cli/cli_args.h"
#include "pairing/result.h"
#include "platform/windows/idle_report.h"
#include "platform/windows/own_session_idle.h"
#include "platform/windows/unique_handle.h"
#include "platform/windows/win_error.h"

namespace tally::platform {
namespace {

constexpr int kMaxFailedSends = 10;

struct ReporterArgs {
    std::wstring pipe;
    std::uint32_t interval_ms = 30000;
    bool once = false;
};

Result<ReporterArgs> parse(const std::vector<std::string>& args) {
    ReporterArgs r;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--once") {
            r.once = true;
        } else if (a == "--pipe" && has_value) {
            r.pipe = widen(args[++i]);
        } else if (a == "--interval-ms" && has_value) {
            const std::string& v = args[++i];
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), r.interval_ms);
            if (ec != std::errc() || p != v.data() + v.size() || r.interval_ms < 100)
                return make_error("usage",
                                  "--interval-ms: expected milliseconds >= 100, got '" + v + "'");
        } else {
            return make_error("usage", "__session-reporter: unexpected argument '" + a + "'");
        }
    }
    if (r.pipe.rfind(L"\\\\.\\pipe\\", 0) != 0)
        return make_error("usage", "__session-reporter: --pipe \\\\.\\pipe\\NAME is required");
    return r;
}

Result<void> send(const std::wstring& pipe, const std::string& text) {
    // FILE_WRITE_DATA only: the pipe's DACL grants interactive users nothing more.
    const DWORD access = FILE_WRITE_DATA | SYNCHRONIZE;
    UniqueHandle h(CreateFileW(pipe.c_str(), access, 0, nullptr, OPEN_EXISTING, 0, nullptr));
    if (!h && GetLastError() == ERROR_PIPE_BUSY && WaitNamedPipeW(pipe.c_str(), 2000))
        h.reset(CreateFileW(pipe.c_str(), access, 0, nullptr, OPEN_EXISTING, 0, nullptr));
    if (!h)
        return make_error("io", last_error("open " + narrow(pipe)));
    DWORD wrote = 0;
    if (!WriteFile(h.get(), text.data(), static_cast<DWORD>(text.size()), &wrote, nullptr) ||
        wrote != text.size())
        return make_error("io", last_error("write " + narrow(pipe)));
    FlushFileBuffers(h.get());  // returns once the service has read the report
    return {};
}

Result<std::string> report_once(const std::wstring& pipe) {
    auto r = measure_own_session_idle();
    if (!r)
        return r.error();
    const std::string text = format_idle_report(*r);
    if (auto sent = send(pipe, text); !sent)
        return sent.error();
    return text;
}

}  // namespace

int run_session_reporter(const std::vector<std::string>& args) {
    auto parsed = parse(args);
    if (!parsed) {
        std::cerr << "tally-agent: " << parsed.error().message << "\n";
        return agent::kExitUsage;
    }
    if (parsed->once) {
        auto sent = report_once(parsed->pipe);
        if (!sent) {
            std::cerr << "tally-agent: session reporter: " << sent.error().message << "\n";
            return 1;
        }
        std::cout << "sent: " << *sent;
        return 0;
    }
    int failures = 0;
    for (;;) {
        auto sent = report_once(parsed->pipe);
        failures = sent ? 0 : failures + 1;
        if (failures >= kMaxFailedSends) {
            std::cerr << "tally-agent: session reporter: " << sent.error().message << "\n";
            return 2;
        }
        Sleep(parsed->interval_ms);
    }
}

}  // namespace tally::platform
