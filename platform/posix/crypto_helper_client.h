#pragma once
// The agent's end of tally-agent-helper (platform/posix/helper/): starts the helper on the
// first request (posix_spawn, socketpair on its fd 3, every other fd closed), sends requests
// one at a time, and ends it on release(); every caller makes one request per helper run.
// Each request has a deadline; a helper past it is killed. A helper that died or closed
// before answering is not started again for the same request: an exchange may have reached
// the server (the uploader retries with backoff; pairing within its --wait). Thread-safe.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>

#include "platform/posix/helper_frame.h"

namespace tally::platform {

//! The fd the helper's socket is on, in the helper.
constexpr int kHelperFd = 3;

class CryptoHelperClient {
  public:
    //! `program`: the tally-agent-helper executable (see helper_program.h).
    CryptoHelperClient(std::filesystem::path state_dir, std::filesystem::path program);
    ~CryptoHelperClient();
    CryptoHelperClient(const CryptoHelperClient&) = delete;
    CryptoHelperClient& operator=(const CryptoHelperClient&) = delete;

    //! One request and its answer (fields after "ok"); an {"err", …} answer becomes its
    //! error. `limit` bounds the wait for the answer.
    Result<Frame> call(const Frame& request, std::chrono::seconds limit);
    //! Ends the helper (closes its socket and waits for it to exit).
    void release();
    //! Helpers started so far (tests, benchmarks).
    unsigned started() const;
    //! The running helper's pid, -1 when none runs (tests).
    pid_t pid() const;

  private:
    Result<void> start_locked();
    void release_locked();

    mutable std::mutex mutex_;
    std::filesystem::path state_dir_;
    std::filesystem::path program_;
    int fd_ = -1;
    pid_t pid_ = -1;
    unsigned started_ = 0;
};

}  // namespace tally::platform
