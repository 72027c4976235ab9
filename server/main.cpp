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
  tenant add NAME [--time-zone Z] [--trial-end WHEN] [--count-devices-by activity|signal]
             [--default-package P] [--grace-hours N]
  tenant list | tenant set NAME [options of add]
  tenant set-status NAME active|inactive|in_trial [--at WHEN] [--trial-end WHEN]
  tenant set-trial NAME --trial-end WHEN | tenant activate|deactivate NAME
  group add|list|add-member --tenant NAME [GROUP] [PRINCIPAL]
  subscription attach --tenant NAME --group G --package P | subscription list --tenant NAME
  pairing-code create --tenant NAME [--uses N] [--expires 7d]
  admin-token create [--tenant NAME] [--name TEXT] [--expires 90d]  (token shown once)
  admin-token list | admin-token revoke ID
  import FILE --tenant NAME [--format text|json]   (a standalone agent's bundle)
  usage --tenant NAME --month YYYY-MM --format json|csv|xlsx [-o FILE]
  device list --tenant NAME
  device revoke DEVICE_ID | device retire DEVICE_ID
  device assign-user DEVICE_ID PRINCIPAL | device clear-user DEVICE_ID
  device set-type DEVICE_ID business|personal
  user list --tenant NAME | user merge --tenant NAME FROM INTO
  purge
  verify-evidence --tenant NAME --month YYYY-MM
  (WHEN: YYYY-MM-DD, midnight in the tenant's time zone, or RFC 3339)
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
        if (command == "group") {
            return cli::run_group(words);
        }
        if (command == "subscription") {
            return cli::run_subscription(words);
        }
        if (command == "user") {
            return cli::run_user(words);
        }
        if (command == "purge") {
            return cli::run_purge(words);
        }
        if (command == "verify-evidence") {
            return cli::run_verify_evidence(words);
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
