#pragma once
// Command-line parsing: positional words and `--name value` / `--name=value` options.
// Every option takes a value; an option not in the allowed set is a usage error.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pairing/result.h"

namespace tally::server::cli {

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;  //!< without the leading "--"

    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
};

//! Error code "usage" naming the bad argument.
Result<Args> parse_args(const std::vector<std::string>& argv, const std::set<std::string>& allowed);

}  // namespace tally::server::cli
