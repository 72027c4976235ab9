// Shared command helpers (see command.h).

#include "server/cli/command.h"

#include <ctime>
#include <iostream>

namespace tally::server::cli {

int fail(const Error& error) {
    std::cerr << "tally-server: " << error.message << std::endl;
    if (error.code == "usage") {
        std::cerr << "run 'tally-server help' for the commands" << std::endl;
        return kExitUsage;
    }
    return kExitFailure;
}

Result<std::filesystem::path> data_dir(const Args& args) {
    std::filesystem::path dir = args.get_or("data-dir", kDefaultDataDir);
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            return make_error("io", "cannot create data dir " + dir.string() + ": " + ec.message());
        }
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace, ec);
    } else if (!std::filesystem::is_directory(dir, ec)) {
        return make_error("io", "data dir " + dir.string() + " is not a directory");
    }
    return dir;
}

Result<std::unique_ptr<SqliteStore>> open_store(const std::filesystem::path& dir) {
    return SqliteStore::open((dir / "tally.db").string());
}

std::string printable(const std::string& text) {
    std::string out = text;
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = '?';
        }
    }
    return out;
}

Result<std::unique_ptr<SqliteStore>> store_for(const Args& args) {
    auto dir = data_dir(args);
    if (!dir) {
        return dir.error();
    }
    return open_store(*dir);
}

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace tally::server::cli
