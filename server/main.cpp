// tally-server: the reference billing backend. Dispatches to the command groups in cli/.

#include <iostream>
#include <string>
#include <vector>

#include "server/cli/command.h"
#include "server/import/import_command.h"

namespace {

constexpr const char* kHelp = R"(tally-server — Tally's reference billing backend

usage: tally-server COMMAND [options] [--data-dir DIR (default /var/lib/tally-server)]
  serve --listen HOST:PORT [--tls-cert F --tls-key F] [--max-backfill-days N]
  tenant add NAME | tenant list | tenant activate NAME | tenant deactivate NAME
  pairing-code create --tenant NAME [--uses N] [--expires 7d]
  admin-token create [--tenant NAME]
  import FILE --tenant NAME [--format text|json]   (a standalone agent's bundle)
  usage --tenant NAME --month YYYY-MM --format json|csv [-o FILE]
  device list --tenant NAME
  device revoke DEVICE_ID
  --version
Exit codes: 0 ok, 1 failure, 64 usage error.
)";

}  // namespace

int main(int argc, char** argv) {
    namespace cli = tally::server::cli;
    const std::vector<std::string> words(argv + 1, argv + argc);
    const std::string command = words.empty() ? "" : words.front();
    if (command == "help" || command == "--help" || command == "-h") {
        std::cout << kHelp;
        return cli::kExitOk;
    }
    if (command == "--version" || command == "version") {
        std::cout << "tally-server " << TALLY_VERSION << std::endl;
        return cli::kExitOk;
    }
    try {
        if (command == "serve") {
            return cli::run_serve(words);
        }
        if (command == "tenant") {
            return cli::run_tenant(words);
        }
        if (command == "pairing-code") {
            return cli::run_pairing_code(words);
        }
        if (command == "admin-token") {
            return cli::run_admin_token(words);
        }
        if (command == "usage") {
            return cli::run_usage(words);
        }
        if (command == "import") {
            return cli::run_import(words);
        }
        if (command == "device") {
            return cli::run_device(words);
        }
    } catch (const std::exception& e) {
        // A boundary: anything unexpected ends the command with a message, not a core dump.
        std::cerr << "tally-server: " << e.what() << std::endl;
        return cli::kExitFailure;
    }
    std::cerr << (command.empty() ? std::string("tally-server: no command")
                                  : "tally-server: unknown command '" + command + "'")
              << "\n"
              << kHelp;
    return cli::kExitUsage;
}
