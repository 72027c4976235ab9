// Config file update (see config_update.h).

#include "agent/pair/config_update.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace tally::agent {

Result<void> update_config_file(FileSystem& fs, const std::filesystem::path& path,
                                const std::map<std::string, std::string>& values) {
    nlohmann::json doc = nlohmann::json::object();
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return make_error("io", "cannot read " + path.string());
        std::stringstream text;
        text << in.rdbuf();
        doc = nlohmann::json::parse(text.str(), nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) {
            return make_error("config", "config file " + path.string() + " is not a JSON object");
        }
    }
    for (const auto& [key, value] : values) {
        if (!value.empty())
            doc[key] = value;
    }
    return fs.write_atomic(path, doc.dump(2) + "\n", false);
}

}  // namespace tally::agent
