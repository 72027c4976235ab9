// One thread serving every named pipe (see pipe_server_thread.h).

#include "platform/windows/pipe_server_thread.h"

#include <algorithm>

#include "platform/windows/win_error.h"

namespace tally::platform {

struct PipeServerThread::Slot {
    PipeEndpoint endpoint;
    UniqueHandle pipe;
    UniqueHandle event{CreateEventW(nullptr, TRUE, FALSE, nullptr)};
    OVERLAPPED ov{};
    bool ready = false;  //!< a client connected before ConnectNamedPipe was called

    //! Starts waiting for the next client; false when the instance is broken (none made).
    bool arm() {
        ResetEvent(event.get());
        if (!pipe)
            pipe.reset(endpoint.create(false));
        if (!pipe)
            return false;
        ov = OVERLAPPED{};
        ov.hEvent = event.get();
        ready = false;
        if (ConnectNamedPipe(pipe.get(), &ov))
            ready = true;
        const DWORD err = ready ? 0 : GetLastError();
        // ERROR_NO_DATA: the client wrote and closed already; what it wrote is still there.
        if (err == ERROR_PIPE_CONNECTED || err == ERROR_NO_DATA)
            ready = true;
        if (ready) {
            SetEvent(event.get());
            return true;
        }
        if (err == ERROR_IO_PENDING)
            return true;
        pipe.reset();
        return false;
    }

    //! The event fired: serve the client, disconnect, wait for the next.
    void serve() {
        DWORD bytes = 0;
        const bool connected = ready || GetOverlappedResult(pipe.get(), &ov, &bytes, FALSE);
        if (connected)
            endpoint.serve(pipe.get());
        DisconnectNamedPipe(pipe.get());
        if (!connected)
            pipe.reset();  // an instance in error: recreate rather than spin on it
    }

    void cancel() {
        if (!pipe)
            return;
        DWORD bytes = 0;
        CancelIo(pipe.get());
        GetOverlappedResult(pipe.get(), &ov, &bytes, TRUE);
        DisconnectNamedPipe(pipe.get());
    }
};

PipeServerThread::PipeServerThread() = default;

PipeServerThread::~PipeServerThread() {
    if (!thread_.joinable())
        return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    SetEvent(wake_.get());
    thread_.join();
}

Result<void> PipeServerThread::add(PipeEndpoint endpoint) {
    auto slot = std::make_unique<Slot>();
    slot->pipe.reset(endpoint.create(true));
    if (!slot->pipe) {
        const DWORD err = GetLastError();
        const bool taken = err == ERROR_ACCESS_DENIED || err == ERROR_PIPE_BUSY;
        return make_error(taken ? "busy" : "io",
                          win_error("create pipe " + narrow(endpoint.name), err));
    }
    slot->endpoint = std::move(endpoint);
    std::lock_guard lock(mutex_);
    if (!wake_)
        wake_.reset(CreateEventW(nullptr, FALSE, FALSE, nullptr));
    added_.push_back(std::move(slot));
    ++requested_;
    if (!thread_.joinable())
        thread_ = std::thread([this] { loop(); });
    // Not waiting for the thread to take it: the instance exists, a client that connects
    // meanwhile is served once it is armed (ERROR_PIPE_CONNECTED). Waiting could stall the
    // io thread behind a status answer that itself waits for the io thread.
    SetEvent(wake_.get());
    return {};
}

void PipeServerThread::remove(const std::wstring& name) {
    std::unique_lock lock(mutex_);
    if (!thread_.joinable())
        return;
    removed_.push_back(name);
    const std::uint64_t mine = ++requested_;
    SetEvent(wake_.get());
    changed_.wait(lock, [&] { return done_ >= mine; });
}

bool PipeServerThread::take_changes(std::vector<std::unique_ptr<Slot>>& slots) {
    std::lock_guard lock(mutex_);
    for (auto& slot : added_) {
        slot->arm();
        slots.push_back(std::move(slot));
    }
    added_.clear();
    for (const auto& name : removed_) {
        std::erase_if(slots, [&](const auto& s) {
            if (s->endpoint.name != name)
                return false;
            s->cancel();
            return true;
        });
    }
    removed_.clear();
    done_ = requested_;
    changed_.notify_all();
    return !stopping_;
}

void PipeServerThread::loop() {
    std::vector<std::unique_ptr<Slot>> slots;
    while (take_changes(slots)) {
        std::vector<HANDLE> waits{wake_.get()};
        bool broken = false;
        for (auto& s : slots) {
            if (!s->pipe && !s->arm())
                broken = true;
            waits.push_back(s->event.get());
        }
        const DWORD w = WaitForMultipleObjects(static_cast<DWORD>(waits.size()), waits.data(),
                                               FALSE, broken ? 1000 : INFINITE);
        if (w > WAIT_OBJECT_0 && w < WAIT_OBJECT_0 + waits.size()) {
            Slot& s = *slots[w - WAIT_OBJECT_0 - 1];
            if (s.pipe) {
                s.serve();
                if (!s.arm())
                    continue;  // retried on the next round, 1 s later at most
            }
        } else if (w == WAIT_FAILED) {
            Sleep(100);  // never spin
        }
    }
    for (auto& s : slots)
        s->cancel();
}

}  // namespace tally::platform
