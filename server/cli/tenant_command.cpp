// `tally-server tenant add NAME | list | activate NAME | deactivate NAME`.

#include <iostream>

#include "pairing/time_format.h"
#include "server/cli/command.h"

namespace tally::server::cli {
namespace {

Result<void> check_name(const std::string& name) {
    if (name.empty() || name.size() > 64) {
        return make_error("usage", "tenant name must be 1-64 characters");
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return make_error("usage", "tenant name '" + name +
                                           "' may use only letters, digits, '-', '_' and '.'");
        }
    }
    return {};
}

}  // namespace

int run_tenant(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;  // "tenant", sub, [NAME]
    const std::string sub = pos.size() > 1 ? pos[1] : "";
    const bool takes_name = sub == "add" || sub == "activate" || sub == "deactivate";
    if (!(takes_name && pos.size() == 3) && !(sub == "list" && pos.size() == 2)) {
        return fail(make_error("usage",
                               "usage: tally-server tenant add|activate|deactivate NAME"
                               " | tenant list  [--data-dir DIR]"));
    }
    if (takes_name) {
        if (auto r = check_name(pos[2]); !r) {
            return fail(r.error());
        }
    }
    auto dir = data_dir(*args);
    if (!dir) {
        return fail(dir.error());
    }
    auto store = open_store(*dir);
    if (!store) {
        return fail(store.error());
    }
    if (sub == "add") {
        if (auto r = (*store)->add_tenant(pos[2], now_seconds()); !r) {
            return fail(r.error());
        }
        std::cout << "tenant " << pos[2] << " added" << std::endl;
        return kExitOk;
    }
    if (sub == "activate" || sub == "deactivate") {
        const std::string status = sub == "activate" ? "active" : "inactive";
        if (auto r = (*store)->set_tenant_status(pos[2], status); !r) {
            return fail(r.error());
        }
        std::cout << "tenant " << pos[2] << " is " << status << std::endl;
        return kExitOk;
    }
    auto tenants = (*store)->list_tenants();
    if (!tenants) {
        return fail(tenants.error());
    }
    std::cout << "name\tstatus\tcreated_at\n";
    for (const auto& t : *tenants) {
        std::cout << t.name << '\t' << t.status << '\t' << pairing::format_rfc3339(t.created_at)
                  << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
