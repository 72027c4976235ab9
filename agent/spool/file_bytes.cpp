// Whole-file reads for the spool (see file_bytes.h).

#include "agent/spool/file_bytes.h"

#include <fstream>
#include <iterator>

namespace tally::agent::spool {

Result<std::string> read_file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error("io", "cannot open " + path.string());
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        return make_error("io", "cannot read " + path.string());
    return data;
}

}  // namespace tally::agent::spool
