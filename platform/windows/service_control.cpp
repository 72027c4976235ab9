// SCM dispatcher, handler and status reports (see service_control.h).

#include "platform/windows/service_control.h"

#include <windows.h>

#include <wtsapi32.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "platform/windows/win_error.h"

namespace tally::platform {

struct ServiceControl::Impl {
    std::mutex mutex;
    std::condition_variable cv;
    SERVICE_STATUS_HANDLE handle = nullptr;
    SERVICE_STATUS status{};
    bool registered = false, dispatcher_failed = false, done = false;
    DWORD dispatcher_error = 0;
    std::function<void()> stop;
    std::function<void(std::uint32_t, std::uint32_t)> session_change;
    std::thread dispatcher;

    void report(DWORD state, DWORD wait_hint, DWORD exit_code = 0) {
        std::lock_guard lock(mutex);
        if (handle == nullptr)
            return;
        status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
        status.dwCurrentState = state;
        status.dwControlsAccepted =
            state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                           SERVICE_ACCEPT_PRESHUTDOWN |
                                           SERVICE_ACCEPT_SESSIONCHANGE
                                     : 0;
        status.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
        status.dwServiceSpecificExitCode = exit_code;
        status.dwWaitHint = wait_hint;
        status.dwCheckPoint = (state == SERVICE_RUNNING || state == SERVICE_STOPPED)
                                  ? 0
                                  : status.dwCheckPoint + 1;
        SetServiceStatus(handle, &status);
    }
};

namespace {

ServiceControl::Impl* g_impl = nullptr;  // the dispatcher's callbacks take no context

DWORD WINAPI handler(DWORD control, DWORD event_type, LPVOID event_data, LPVOID context) {
    auto* impl = static_cast<ServiceControl::Impl*>(context);
    switch (control) {
        case SERVICE_CONTROL_STOP:
        case SERVICE_CONTROL_SHUTDOWN:
        case SERVICE_CONTROL_PRESHUTDOWN: {
            impl->report(SERVICE_STOP_PENDING, static_cast<DWORD>(kStopWaitHint.count()));
            std::function<void()> stop;
            {
                std::lock_guard lock(impl->mutex);
                stop = impl->stop;
            }
            if (stop)
                stop();
            return NO_ERROR;
        }
        case SERVICE_CONTROL_SESSIONCHANGE: {
            std::function<void(std::uint32_t, std::uint32_t)> f;
            {
                std::lock_guard lock(impl->mutex);
                f = impl->session_change;
            }
            const auto* n = static_cast<const WTSSESSION_NOTIFICATION*>(event_data);
            if (f && n != nullptr)
                f(event_type, n->dwSessionId);
            return NO_ERROR;
        }
        case SERVICE_CONTROL_INTERROGATE:
            return NO_ERROR;
        default:
            return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WINAPI service_main(DWORD, LPWSTR*) {
    ServiceControl::Impl* impl = g_impl;
    SERVICE_STATUS_HANDLE h = RegisterServiceCtrlHandlerExW(kServiceName, handler, impl);
    std::unique_lock lock(impl->mutex);
    impl->handle = h;
    impl->registered = true;
    impl->dispatcher_failed = h == nullptr;
    impl->dispatcher_error = h == nullptr ? GetLastError() : 0;
    impl->cv.notify_all();
    if (h == nullptr)
        return;
    // Returning would tell the dispatcher nothing; stay until the agent reported STOPPED.
    impl->cv.wait(lock, [impl] { return impl->done; });
}

}  // namespace

ServiceControl::ServiceControl(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::shared_ptr<ServiceControl>> ServiceControl::start() {
    auto impl = std::make_unique<Impl>();
    Impl* raw = impl.get();
    g_impl = raw;
    raw->dispatcher = std::thread([raw] {
        static wchar_t name[] = L"TallyAgent";
        SERVICE_TABLE_ENTRYW table[] = {{name, service_main}, {nullptr, nullptr}};
        if (!StartServiceCtrlDispatcherW(table)) {
            std::lock_guard lock(raw->mutex);
            raw->dispatcher_failed = true;
            raw->dispatcher_error = GetLastError();
            raw->cv.notify_all();
        }
    });
    std::unique_lock lock(raw->mutex);
    raw->cv.wait(lock, [raw] { return raw->registered || raw->dispatcher_failed; });
    if (raw->dispatcher_failed) {
        const DWORD code = raw->dispatcher_error;
        raw->done = true;
        raw->cv.notify_all();
        lock.unlock();
        raw->dispatcher.join();
        g_impl = nullptr;
        return make_error("service", win_error("connect to the service control manager "
                                               "('run --service' is for the SCM only)",
                                               code));
    }
    lock.unlock();
    raw->report(SERVICE_START_PENDING, 30000);
    return std::shared_ptr<ServiceControl>(new ServiceControl(std::move(impl)));
}

ServiceControl::~ServiceControl() {
    stopped(0);
}

void ServiceControl::running() {
    impl_->report(SERVICE_RUNNING, 0);
}

void ServiceControl::stop_pending() {
    impl_->report(SERVICE_STOP_PENDING, static_cast<DWORD>(kStopWaitHint.count()));
}

void ServiceControl::stopped(std::uint32_t exit_code) {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->done)
            return;
    }
    impl_->report(SERVICE_STOPPED, 0, exit_code);
    {
        std::lock_guard lock(impl_->mutex);
        impl_->done = true;
        impl_->handle = nullptr;
    }
    impl_->cv.notify_all();
    if (impl_->dispatcher.joinable())
        impl_->dispatcher.join();
    g_impl = nullptr;
}

void ServiceControl::on_stop(std::function<void()> stop) {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = std::move(stop);
}

void ServiceControl::on_session_change(std::function<void(std::uint32_t, std::uint32_t)> f) {
    std::lock_guard lock(impl_->mutex);
    impl_->session_change = std::move(f);
}

std::shared_ptr<ServiceControl>& current_service_control() {
    static std::shared_ptr<ServiceControl> control;
    return control;
}

}  // namespace tally::platform
