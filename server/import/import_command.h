#pragma once
// `tally-server import FILE --tenant T [--format text|json] [--data-dir DIR]`.

#include <string>
#include <vector>

namespace tally::server::cli {

//! `words` are the arguments after "tally-server". Exit 0 when the bundle was accepted
//! (also when every heartbeat was a duplicate), 1 when refused, 64 on usage errors.
int run_import(const std::vector<std::string>& words);

}  // namespace tally::server::cli
