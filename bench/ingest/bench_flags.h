#pragma once
// Command-line flags shared by the bench programs: `--key value` pairs and the server URL.

#include <map>
#include <optional>
#include <string>

namespace tally::bench {

//! The `--key value` pairs of argv (keys without the dashes), or nullopt with `err` naming
//! the first argument that is not such a pair.
std::optional<std::map<std::string, std::string>> read_flags(int argc, char** argv,
                                                             std::string& err);

//! `https://host:port` split into host and port; throws std::invalid_argument or
//! std::out_of_range when the port is not a number.
void split_url(const std::string& url, std::string& host, int& port);

}  // namespace tally::bench
