#pragma once
// `--listen HOST:PORT` ("127.0.0.1:8443", "[::1]:0", "localhost:8443").

#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::server::cli {

struct ListenAddress {
    std::string host;  //!< without brackets, for bind()
    int port = 0;      //!< 0: an ephemeral port
    //! "HOST:PORT" with brackets around an IPv6 host, for URLs and listen.addr.
    std::string with_port(int bound_port) const;
};

//! Error code "usage" naming the problem.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace tally::server::cli
