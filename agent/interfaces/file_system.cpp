// FileSystem's default read_file (see file_system.h).

#include "agent/interfaces/file_system.h"

#include <fstream>
#include <iterator>
#include <system_error>

namespace tally::agent {

Result<std::optional<std::string>> FileSystem::read_file(const std::filesystem::path& p,
                                                         std::size_t max_bytes) const {
    return read_file_following_links(p, max_bytes);
}

Result<std::optional<std::string>> read_file_following_links(const std::filesystem::path& p,
                                                             std::size_t max_bytes) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec))
        return std::optional<std::string>{};
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return make_error("io", "cannot read " + p.string());
    std::string text;
    char buf[4096];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes)
            return make_error(
                "io", p.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    return std::optional<std::string>(std::move(text));
}

}  // namespace tally::agent
