#pragma once
// `tally-agent service install|uninstall [--config PATH] [--state-dir DIR]`: registers the
// TallyAgent service (LocalSystem, automatic start, `run --service` plus the given options),
// its recovery actions, its event log source; uninstall stops and removes them. Both are
// idempotent and non-interactive (the MSI runs them as SYSTEM).

#include <optional>
#include <string>
#include <vector>

#include "pairing/result.h"

namespace tally::platform {

struct ServiceInstallArgs {
    bool install = true;
    std::optional<std::string> config;
    std::optional<std::string> state_dir;
};

//! Parses the words after `service`; error names the problem.
Result<ServiceInstallArgs> parse_service_args(const std::vector<std::string>& words);

//! The service's command line for this exe and args (quoted for CreateProcess rules).
std::wstring service_command_line(const std::wstring& exe, const ServiceInstallArgs& args);

Result<void> install_service(const ServiceInstallArgs& args);
Result<void> uninstall_service();
Result<void> configure_recovery();

//! Runs `service ...`; exit code (0 ok, 64 usage, 1 failure) with messages on stderr.
int service_command(const std::vector<std::string>& words);

}  // namespace tally::platform
