// Shared command helpers (see command.h).

#include "server/cli/command.h"

#include "server/domain/error_code.h"
#include "server/store/open_store.h"

#include <sys/stat.h>

#include <charconv>
#include <ctime>
#include <iostream>

namespace tally::server::cli {

int fail(const Error& error) {
    std::cerr << "tally-server: " << error.message << std::endl;
    const auto code = domain::exit_status(domain::code_of(error));
    if (code == kExitUsage) {
        std::cerr << "run 'tally-server help' for the commands" << std::endl;
    }
    return code;
}

Error as_usage(const Error& error) {
    return domain::code_of(error) == domain::ErrorCode::bad_request
               ? domain::make_error(domain::ErrorCode::usage, error.message)
               : error;
}

Result<std::filesystem::path> data_dir(const Args& args) {
    // Everything tally-server writes (database, WAL, TLS key, listen.addr, reports) is
    // private to its user whatever umask it was started with: files 0600, directories 0700.
    ::umask(0077);
    std::filesystem::path dir = args.get_or("data-dir", kDefaultDataDir);
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            return make_error("io", "cannot create data dir " + dir.string() + ": " + ec.message());
        }
    } else if (!std::filesystem::is_directory(dir, ec)) {
        return make_error("io", "data dir " + dir.string() + " is not a directory");
    }
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) {
        return make_error(
            "io", "cannot make data dir " + dir.string() + " private (mode 0700): " + ec.message());
    }
    return dir;
}

Result<std::unique_ptr<SqliteStore>> open_store(const std::filesystem::path& dir) {
    auto store = SqliteStore::open((dir / "tally.db").string());
    // Files an older version (or another umask) left readable by others are made private.
    for (const char* name : {"tally.db", "tally.db-wal", "tally.db-shm", "listen.addr"}) {
        std::error_code ec;
        if (std::filesystem::exists(dir / name, ec)) {
            std::filesystem::permissions(
                dir / name,
                std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                std::filesystem::perm_options::replace, ec);
        }
    }
    return store;
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

Result<std::unique_ptr<Store>> open_chosen_store(const Args& args,
                                                 const std::filesystem::path& dir) {
    if (!args.get("db")) {
        auto lite = open_store(dir);
        if (!lite) {
            return lite.error();
        }
        return std::unique_ptr<Store>(std::move(*lite));
    }
    auto choice = parse_db(args.get("db"), dir);
    if (!choice) {
        return choice.error();
    }
    return open_store(*choice);
}

Result<std::unique_ptr<Store>> store_for(const Args& args) {
    if (args.get("db")) {
        // The store --db names is all a command needs: no data dir is made for it (a
        // PostgreSQL fleet's admin host has none). Files stay private all the same.
        ::umask(0077);
        return open_chosen_store(args, {});
    }
    auto dir = data_dir(args);
    if (!dir) {
        return dir.error();
    }
    return open_chosen_store(args, *dir);
}

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

Result<std::int64_t> parse_days(const Args& args, const std::string& name,
                                const std::string& fallback) {
    const auto text = args.get_or(name, fallback);
    std::int64_t days = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (ec != std::errc() || end != text.data() + text.size() || days < 1 || days > 3650) {
        return make_error("usage", "--" + name + " must be a whole number from 1 to 3650");
    }
    return days;
}

}  // namespace tally::server::cli
