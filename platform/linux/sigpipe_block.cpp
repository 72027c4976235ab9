// SigpipeBlock (see sigpipe_block.h).

#include "platform/linux/sigpipe_block.h"

#include <pthread.h>

#include <ctime>

namespace tally::platform {
namespace {

sigset_t pipe_set() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    return s;
}

bool pipe_pending() {
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeBlock::SigpipeBlock() {
    const sigset_t s = pipe_set();
    was_pending_ = pipe_pending();
    pthread_sigmask(SIG_BLOCK, &s, &old_);
}

SigpipeBlock::~SigpipeBlock() {
    if (!was_pending_ && pipe_pending()) {
        const sigset_t s = pipe_set();
        const timespec zero{};
        (void)sigtimedwait(&s, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

}  // namespace tally::platform
