#pragma once
// One thread for every named pipe the agent serves (the status pipe and the idle pipe):
// overlapped ConnectNamedPipe on each endpoint's instance, WaitForMultipleObjects over them,
// the endpoint's handler for each client on this thread, then DisconnectNamedPipe and the
// next connect. Under wine every thread costs about 1 MB resident (bench/windows), so the
// pipes share one instead of one each.

#include <windows.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pairing/result.h"
#include "platform/windows/unique_handle.h"

namespace tally::platform {

struct PipeEndpoint {
    std::wstring name;
    //! A new overlapped server instance (first: FILE_FLAG_FIRST_PIPE_INSTANCE); null on error.
    std::function<HANDLE(bool first)> create;
    //! A client is connected to `pipe`: serve it (on the pipe thread). Disconnected after.
    std::function<void(HANDLE pipe)> serve;
};

class PipeServerThread {
  public:
    PipeServerThread();
    ~PipeServerThread();
    PipeServerThread(const PipeServerThread&) = delete;
    PipeServerThread& operator=(const PipeServerThread&) = delete;

    //! Creates the endpoint's first instance here (an error names the pipe) and hands it to
    //! the thread (started with the first endpoint); does not wait for the thread.
    Result<void> add(PipeEndpoint endpoint);
    //! After it returns, the endpoint's handler never runs again and its instance is closed.
    //! Must not be called from a handler; waits for the handler running now, if any.
    void remove(const std::wstring& name);

    struct Slot;

  private:
    void loop();
    //! Takes added and removed endpoints; false when the thread is to end.
    bool take_changes(std::vector<std::unique_ptr<Slot>>& slots);

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::unique_ptr<Slot>> added_;  // not yet taken by the thread
    std::vector<std::wstring> removed_;
    std::uint64_t requested_ = 0, done_ = 0;  // change requests made / taken by the thread
    bool stopping_ = false;
    UniqueHandle wake_;
    std::thread thread_;
};

}  // namespace tally::platform
