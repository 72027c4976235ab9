// The `acked` file (see acked_file.h).

#include "agent/spool/acked_file.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace tally::agent::spool {

Result<AckedState> read_acked(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return AckedState{};
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error("io", "cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("acked_through") ||
        !doc["acked_through"].is_number_unsigned()) {
        return make_error("spool_corrupt", path.string() + " is not a valid acked file");
    }
    AckedState s;
    s.acked_through = doc["acked_through"].get<std::uint64_t>();
    if (doc.contains("chain_hash") && doc["chain_hash"].is_string()) {
        s.chain_hash = doc["chain_hash"].get<std::string>();
    }
    return s;
}

Result<void> write_acked(FileSystem& fs, const std::filesystem::path& path, const AckedState& s) {
    nlohmann::json doc = {{"acked_through", s.acked_through}, {"chain_hash", s.chain_hash}};
    return fs.write_atomic(path, doc.dump() + "\n", false);
}

}  // namespace tally::agent::spool
