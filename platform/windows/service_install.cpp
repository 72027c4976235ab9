// SCM registration (see service_install.h).

#include "platform/windows/service_install.h"

#include <windows.h>

#include <iostream>

#include "platform/windows/service_control.h"
#include "platform/windows/win_error.h"

namespace tally::platform {
namespace {

struct ScHandle {
    SC_HANDLE h = nullptr;
    explicit ScHandle(SC_HANDLE x) : h(x) {}
    ScHandle(const ScHandle&) = delete;
    ScHandle& operator=(const ScHandle&) = delete;
    ~ScHandle() {
        if (h != nullptr)
            CloseServiceHandle(h);
    }
};

std::wstring quote(const std::wstring& s) {
    std::wstring out = L"\"";
    for (wchar_t c : s) {
        if (c == L'"')
            out += L'\\';
        out += c;
    }
    // A trailing backslash would escape the closing quote.
    if (!s.empty() && s.back() == L'\\')
        out += L'\\';
    return out + L"\"";
}

std::wstring this_exe() {
    std::wstring path(32768, L'\0');
    const DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    path.resize(n);
    return path;
}

const wchar_t kEventKey[] =
    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\Tally Agent";

Result<void> register_event_source(const std::wstring& exe) {
    HKEY key = nullptr;
    LSTATUS rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, kEventKey, 0, nullptr, 0, KEY_SET_VALUE,
                                 nullptr, &key, nullptr);
    if (rc != ERROR_SUCCESS)
        return make_error("service", win_error("create the event log source", rc));
    const DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&types),
                   sizeof types);
    RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ,
                   reinterpret_cast<const BYTE*>(exe.c_str()),
                   static_cast<DWORD>((exe.size() + 1) * sizeof(wchar_t)));
    RegCloseKey(key);
    return {};
}

Result<void> wait_stopped(SC_HANDLE service) {
    SERVICE_STATUS st{};
    for (int i = 0; i < 60; ++i) {
        if (!QueryServiceStatus(service, &st))
            return make_error("service", last_error("query the TallyAgent service"));
        if (st.dwCurrentState == SERVICE_STOPPED)
            return {};
        Sleep(500);
    }
    return make_error("service", "the TallyAgent service did not stop within 30 s");
}

}  // namespace

Result<ServiceInstallArgs> parse_service_args(const std::vector<std::string>& words) {
    if (words.empty() || (words[0] != "install" && words[0] != "uninstall"))
        return make_error("usage", "'service' needs 'install' or 'uninstall'");
    ServiceInstallArgs a;
    a.install = words[0] == "install";
    for (std::size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        // uninstall takes them too (and ignores them: there is one service), so an
        // installer can pass the same options to both.
        if (w == "--config" || w == "--state-dir") {
            if (i + 1 >= words.size() || words[i + 1].empty())
                return make_error("usage", w + " needs a value");
            (w == "--config" ? a.config : a.state_dir) = words[++i];
        } else {
            return make_error("usage", "'service " + words[0] + "' does not take '" + w + "'");
        }
    }
    return a;
}

std::wstring service_command_line(const std::wstring& exe, const ServiceInstallArgs& args) {
    std::wstring cmd = quote(exe) + L" run --service";
    if (args.config)
        cmd += L" --config " + quote(widen(*args.config));
    if (args.state_dir)
        cmd += L" --state-dir " + quote(widen(*args.state_dir));
    return cmd;
}

Result<void> install_service(const ServiceInstallArgs& args) {
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE | SC_MANAGER_CONNECT));
    if (scm.h == nullptr)
        return make_error("service", last_error("open the service control manager"));
    const std::wstring exe = this_exe();
    const std::wstring cmd = service_command_line(exe, args);
    ScHandle svc(CreateServiceW(scm.h, kServiceName, kServiceDisplayName, SERVICE_ALL_ACCESS,
                                SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                SERVICE_ERROR_NORMAL, cmd.c_str(), nullptr, nullptr, nullptr,
                                nullptr, nullptr));
    if (svc.h == nullptr && GetLastError() == ERROR_SERVICE_EXISTS) {
        svc.h = OpenServiceW(scm.h, kServiceName, SERVICE_ALL_ACCESS);
        if (svc.h == nullptr ||
            !ChangeServiceConfigW(svc.h, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                  SERVICE_ERROR_NORMAL, cmd.c_str(), nullptr, nullptr, nullptr,
                                  nullptr, nullptr, kServiceDisplayName))
            return make_error("service", last_error("update the TallyAgent service"));
    } else if (svc.h == nullptr) {
        return make_error("service", last_error("create the TallyAgent service"));
    }
    wchar_t description[] = L"Counts active devices and sessions for billing (Tally).";
    SERVICE_DESCRIPTIONW desc{description};
    ChangeServiceConfig2W(svc.h, SERVICE_CONFIG_DESCRIPTION, &desc);
    if (auto r = register_event_source(exe); !r)
        return r;
    return configure_recovery();
}

Result<void> configure_recovery() {
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (scm.h == nullptr)
        return make_error("service", last_error("open the service control manager"));
    ScHandle svc(OpenServiceW(scm.h, kServiceName, SERVICE_CHANGE_CONFIG | SERVICE_START));
    if (svc.h == nullptr)
        return make_error("service", last_error("open the TallyAgent service"));
    SC_ACTION actions[] = {{SC_ACTION_RESTART, 5000},
                           {SC_ACTION_RESTART, 30000},
                           {SC_ACTION_RESTART, 120000}};
    SERVICE_FAILURE_ACTIONSW failure{};
    failure.dwResetPeriod = 86400;
    failure.cActions = 3;
    failure.lpsaActions = actions;
    if (!ChangeServiceConfig2W(svc.h, SERVICE_CONFIG_FAILURE_ACTIONS, &failure))
        return make_error("service", last_error("set the recovery actions"));
    SERVICE_FAILURE_ACTIONS_FLAG on_exit{TRUE};  // a non-zero exit also counts as failure
    ChangeServiceConfig2W(svc.h, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &on_exit);
    SERVICE_PRESHUTDOWN_INFO pre{static_cast<DWORD>(kStopWaitHint.count() + 5000)};
    ChangeServiceConfig2W(svc.h, SERVICE_CONFIG_PRESHUTDOWN_INFO, &pre);
    return {};
}

Result<void> uninstall_service() {
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (scm.h == nullptr)
        return make_error("service", last_error("open the service control manager"));
    ScHandle svc(OpenServiceW(scm.h, kServiceName, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
    if (svc.h == nullptr) {
        if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
            return {};  // already gone
        return make_error("service", last_error("open the TallyAgent service"));
    }
    SERVICE_STATUS st{};
    if (ControlService(svc.h, SERVICE_CONTROL_STOP, &st) || GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
        if (auto r = wait_stopped(svc.h); !r)
            return r;
    }
    if (!DeleteService(svc.h) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE)
        return make_error("service", last_error("delete the TallyAgent service"));
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, kEventKey);
    return {};
}

int service_command(const std::vector<std::string>& words) {
    auto args = parse_service_args(words);
    if (!args) {
        std::cerr << "tally-agent: " << args.error().message << "\n"
                  << "usage: tally-agent service install [--config PATH] [--state-dir DIR]\n"
                  << "       tally-agent service uninstall\n";
        return 64;  // kExitUsage, as every usage error of tally-agent
    }
    auto r = args->install ? install_service(*args) : uninstall_service();
    if (!r) {
        std::cerr << "tally-agent: " << r.error().message << "\n";
        return 1;
    }
    std::cout << (args->install ? "service TallyAgent installed\n"
                                : "service TallyAgent uninstalled\n");
    return 0;
}

}  // namespace tally::platform
