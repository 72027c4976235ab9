// Command-line parsing (see cli_args.h).

#include "agent/cli/cli_args.h"

namespace tally::agent {
namespace {

Error usage(const std::string& message) {
    return make_error("usage", message);
}

//! A whole number of seconds, 0 to one day (a typo such as "30O" is a usage error).
Result<std::int64_t> parse_wait(const std::string& text) {
    if (text.empty() || text.size() > 6 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoll(text) > 86400) {
        return usage("--wait needs whole seconds from 0 to 86400, got '" + text + "'");
    }
    return std::stoll(text);
}

Result<void> check_standalone_args(const CliArgs& a) {
    bool range = !a.month.empty() || !a.from.empty() || !a.to.empty();
    if (range && a.command != Command::report && a.command != Command::export_bundle)
        return usage("--month, --from and --to belong to 'report' and 'export'");
    if (!a.output.empty() && a.command != Command::export_bundle)
        return usage("-o belongs to 'export'");
    if (a.command == Command::report && (a.month.empty() || !a.from.empty() || !a.to.empty()))
        return usage("report needs --month YYYY-MM");
    if (a.command == Command::export_bundle) {
        bool by_month = !a.month.empty() && a.from.empty() && a.to.empty();
        bool by_days = a.month.empty() && !a.from.empty() && !a.to.empty();
        if (!by_month && !by_days)
            return usage("export needs --month YYYY-MM or --from YYYY-MM-DD --to YYYY-MM-DD");
        if (a.output.empty())
            return usage("export needs -o FILE");
    }
    return {};
}

}  // namespace

std::string usage_text() {
    return "Usage: tally-agent COMMAND [OPTIONS]\n"
           "\n"
           "Commands:\n"
           "  run [--standalone]           run in the foreground (what the service runs)\n"
           "  run --service                (Windows) run under the service control manager\n"
           "  service install|uninstall    (Windows) register or remove the TallyAgent service\n"
           "                               [--config PATH] [--state-dir DIR] (install)\n"
           "  pair --server URL --code CODE [--ca-file PATH] [--device-type business|personal]\n"
           "       [--wait SECONDS]        make the device key and pair with a tenant; retries a\n"
           "                               busy or unreachable server for up to SECONDS\n"
           "                               (default 300, 0: once), never a refused code\n"
           "  status [--json]              health of the agent (also --status [--json])\n"
           "  probe [--json]               the sessions the OS shows, with verdicts\n"
           "  retire                       tell the server this device is uninstalled (never\n"
           "                               billed again); run by the uninstaller\n"
           "  report --month YYYY-MM [--json]\n"
           "                               this device's own usage records for a month\n"
           "  export (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD) -o FILE\n"
           "                               write a signed usage bundle (standalone mode) for\n"
           "                               tally-server import\n"
           "  --version                    print the version\n"
           "  --help                       this text\n"
           "\n"
           "Options for every command:\n"
           "  --config PATH                config file (JSON); keys also as TALLY_<KEY>\n"
           "  --state-dir DIR              where identity, spool and status live\n"
           "\n"
           "Status exit codes: 0 healthy, 1 degraded, 2 needs attention, 3 not running,\n"
           "64 usage error.\n";
}

Result<CliArgs> parse_args(const std::vector<std::string>& args) {
    CliArgs out;
    std::optional<Command> command;
    auto set_command = [&](Command c, const std::string& word) -> Result<void> {
        if (command && *command != c)
            return usage("more than one command: '" + word + "'");
        command = c;
        return {};
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& target) -> Result<void> {
            if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
                return usage("option " + a + " needs a value");
            }
            target = args[++i];
            return {};
        };
        Result<void> r;
        std::string tmp;
        if (a == "run") {
            r = set_command(Command::run, a);
        } else if (a == "pair") {
            r = set_command(Command::pair, a);
        } else if (a == "status" || a == "--status") {
            r = set_command(Command::status, a);
        } else if (a == "probe") {
            r = set_command(Command::probe, a);
        } else if (a == "retire") {
            r = set_command(Command::retire, a);
        } else if (a == "report") {
            r = set_command(Command::report, a);
        } else if (a == "export") {
            r = set_command(Command::export_bundle, a);
        } else if (a == "--month") {
            r = value(out.month);
        } else if (a == "--from") {
            r = value(out.from);
        } else if (a == "--to") {
            r = value(out.to);
        } else if (a == "-o" || a == "--output") {
            r = value(out.output);
        } else if (a == "--version" || a == "version") {
            r = set_command(Command::version, a);
        } else if (a == "--help" || a == "-h" || a == "help") {
            r = set_command(Command::help, a);
        } else if (a == "--json") {
            out.json = true;
        } else if (a == "--standalone") {
            out.standalone = true;
        } else if (a == "--service") {
            out.service = true;
        } else if (a == "--config") {
            r = value(tmp);
            out.config_path = tmp;
        } else if (a == "--state-dir") {
            r = value(tmp);
            out.state_dir = tmp;
        } else if (a == "--server") {
            r = value(out.server);
        } else if (a == "--code") {
            r = value(out.code);
        } else if (a == "--ca-file") {
            r = value(out.ca_file);
        } else if (a == "--device-type") {
            r = value(out.device_type);
        } else if (a == "--wait") {
            r = value(tmp);
            if (r) {
                auto wait = parse_wait(tmp);
                if (!wait)
                    return wait.error();
                out.wait_s = *wait;
            }
        } else if (a.rfind("-", 0) == 0) {
            r = usage("unknown option '" + a + "'");
        } else {
            r = usage("unknown command '" + a + "'");
        }
        if (!r)
            return r.error();
    }
    if (!command)
        return usage("no command given");
    out.command = *command;
    bool pair_opts = !out.server.empty() || !out.code.empty() || !out.ca_file.empty() ||
                     !out.device_type.empty() || out.wait_s.has_value();
    if (pair_opts && out.command != Command::pair) {
        return usage("--server, --code, --ca-file, --device-type and --wait belong to 'pair'");
    }
    if (out.command == Command::pair && (out.server.empty() || out.code.empty())) {
        return usage("pair needs --server URL and --code CODE");
    }
    if (out.json && out.command != Command::status && out.command != Command::probe &&
        out.command != Command::report) {
        return usage("--json belongs to 'status', 'probe' and 'report'");
    }
    if (auto r = check_standalone_args(out); !r)
        return r.error();
    if (out.standalone && out.command != Command::run) {
        return usage("--standalone belongs to 'run'");
    }
    if (out.service && out.command != Command::run) {
        return usage("--service belongs to 'run'");
    }
    return out;
}

}  // namespace tally::agent
