// SigpipeBlock: a SIGPIPE raised inside the scope neither ends the process nor stays pending.

#include <signal.h>

#include <catch2/catch.hpp>

#include "platform/linux/sigpipe_block.h"

TEST_CASE("sigpipe block: SIGPIPE inside the scope is swallowed, the old mask returns") {
    sigset_t before;
    REQUIRE(pthread_sigmask(SIG_SETMASK, nullptr, &before) == 0);
    {
        tally::platform::SigpipeBlock block;
        REQUIRE(raise(SIGPIPE) == 0);  // default action would end this test binary
    }
    sigset_t pending;
    sigemptyset(&pending);
    REQUIRE(sigpending(&pending) == 0);
    CHECK(sigismember(&pending, SIGPIPE) == 0);
    sigset_t after;
    REQUIRE(pthread_sigmask(SIG_SETMASK, nullptr, &after) == 0);
    CHECK(sigismember(&after, SIGPIPE) == sigismember(&before, SIGPIPE));
}
