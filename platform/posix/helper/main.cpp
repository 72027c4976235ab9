// tally-agent-helper: started by tally-agent (never by hand) with its socket on fd 3 and
// the state directory as its one argument; serves the agent's requests (helper_server.h).

#include <curl/curl.h>
#include <sys/stat.h>

#include <csignal>
#include <iostream>

#include "platform/posix/crypto_helper_client.h"
#include "platform/posix/helper/helper_server.h"

int main(int argc, char** argv) {
    struct stat st {};
    if (argc != 2 || ::fstat(tally::platform::kHelperFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        std::cerr << "tally-agent-helper: started by tally-agent itself (socket on fd "
                  << tally::platform::kHelperFd << ", state directory as argument), "
                  << "not by hand\n";
        return 64;
    }
    // A peer that closed must give EPIPE, not kill us (libcurl runs with CURLOPT_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        std::cerr << "tally-agent-helper: libcurl failed to initialise\n";
        return 1;
    }
    const int rc = tally::platform::serve_helper(tally::platform::kHelperFd, argv[1]);
    curl_global_cleanup();
    return rc;
}
