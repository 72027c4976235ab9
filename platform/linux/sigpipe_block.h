#pragma once
// Blocks SIGPIPE in the calling thread for a scope: OpenSSL writes to its socket with
// write(), which raises SIGPIPE (ending the process) when the server has closed the
// connection. A SIGPIPE raised meanwhile is consumed before the old mask returns.

#include <signal.h>

namespace tally::platform {

class SigpipeBlock {
  public:
    SigpipeBlock();
    ~SigpipeBlock();
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

  private:
    sigset_t old_{};
    bool was_pending_ = false;
};

}  // namespace tally::platform
