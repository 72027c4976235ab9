// make_platform(): the Windows implementation of every seam, and run_platform_helper(),
// which handles what only Windows has before the core parses the command line:
// `service install|uninstall`, the hidden `__session-reporter` (started by the service in each
// interactive session) and connecting `run --service` to the SCM.

#include <iostream>
#include <string>
#include <vector>

#include "agent/config.h"
#include "agent/interfaces/platform.h"
#include "platform/windows/idle_report_pipe.h"
#include "platform/windows/named_pipe_status_channel.h"
#include "platform/windows/service_control.h"
#include "platform/windows/service_install.h"
#include "platform/windows/session_idle.h"
#include "platform/windows/session_reporter_launcher.h"
#include "platform/windows/session_reporter_main.h"
#include "platform/windows/windows_file_system.h"
#include "platform/windows/windows_key_store.h"
#include "platform/windows/windows_machine_fingerprint.h"
#include "platform/windows/windows_service_host.h"
#include "platform/windows/winhttp_transport.h"
#include "platform/windows/wts_activity_source.h"

namespace tally::agent {
namespace {

bool g_running_agent = false;  //!< argv is `run`: the one command that serves the idle pipe

//! Per-session idle for `run`: the idle pipe, and reporters when the SCM started us.
//! `reporters`: set to the service's session reporters (null in the foreground).
std::unique_ptr<platform::SessionIdle> session_idle(
    const Config& config, const std::wstring& status_pipe,
    const std::shared_ptr<platform::PipeServerThread>& pipes,
    std::shared_ptr<platform::SessionReporters>& reporters) {
    if (!g_running_agent)
        return nullptr;
    const std::wstring idle_pipe = platform::idle_pipe_name_for(status_pipe);
    if (platform::current_service_control())
        reporters = std::make_shared<platform::SessionReporters>(
            std::make_unique<platform::SessionReporterLauncher>(
                idle_pipe, platform::reporter_interval_ms(config.sample_interval_s)));
    return std::make_unique<platform::SessionIdle>(idle_pipe, config.sample_interval_s, reporters,
                                                   pipes);
}

}  // namespace

PlatformParts make_platform(const Config& config, const std::filesystem::path& state_dir) {
    PlatformParts parts;
    const std::filesystem::path dir = std::filesystem::absolute(state_dir).lexically_normal();
    const std::wstring status_pipe = platform::pipe_name_for(dir, default_state_dir());
    // One thread serves both the status pipe and the idle pipe.
    auto pipes = std::make_shared<platform::PipeServerThread>();
    std::shared_ptr<platform::SessionReporters> reporters;
    parts.activity = std::make_unique<platform::WtsActivitySource>(
        session_idle(config, status_pipe, pipes, reporters));
    parts.keys = std::make_unique<platform::WindowsKeyStore>(
        std::make_unique<platform::CngKeyStore>(platform::key_name_for(dir.wstring())),
        std::make_unique<platform::BcryptFileKeyStore>(dir / "device.key"));
    auto transport = std::make_unique<platform::WinHttpTransport>();
    TransportOptions options;
    options.ca_file = config.ca_file;
    options.proxy = config.proxy;
    transport->configure(options);
    parts.transport = std::move(transport);
    parts.status = std::make_unique<platform::NamedPipeStatusChannel>(
        status_pipe, std::chrono::seconds(2), pipes);
    parts.fingerprint = std::make_unique<platform::WindowsMachineFingerprint>();
    auto service =
        std::make_unique<platform::WindowsServiceHost>(platform::current_service_control());
    // The reporters run this exe in the users' sessions: they end before the SCM (and an
    // installer waiting for it) hears that the service stopped, not with the activity
    // source, which is destroyed after the service host.
    if (reporters)
        service->before_stopped([reporters] { reporters->stop_all(); });
    parts.service = std::move(service);
    parts.files = std::make_unique<platform::WindowsFileSystem>();
    return parts;
}

std::optional<int> run_platform_helper(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "service")
        return platform::service_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == platform::kSessionReporterCommand)
        return platform::run_session_reporter({args.begin() + 1, args.end()});
    const bool run = !args.empty() && args[0] == "run";
    g_running_agent = run;
    bool service = false;
    for (const auto& a : args)
        service = service || a == "--service";
    if (!run || !service)
        return std::nullopt;  // the core parses (and rejects a misplaced --service)
    auto control = platform::ServiceControl::start();
    if (!control) {
        std::cerr << "tally-agent: " << control.error().message << "\n";
        return 1;
    }
    platform::current_service_control() = *control;
    return std::nullopt;
}

}  // namespace tally::agent
