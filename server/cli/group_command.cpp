// `tally-server group add --tenant T NAME | list --tenant T | add-member --tenant T GROUP
// PRINCIPAL`. A user is in at most one group: add-member moves it (the move is dated, so
// months already judged keep the package they had).

#include <iostream>

#include "server/application/group_admin.h"
#include "server/cli/command.h"

namespace tally::server::cli {

int run_group(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    const std::string sub = pos.size() > 1 ? pos[1] : "";
    const bool ok = (sub == "add" && pos.size() == 3) || (sub == "list" && pos.size() == 2) ||
                    (sub == "add-member" && pos.size() == 4);
    if (!ok || !args->get("tenant")) {
        return fail(make_error("usage",
                               "usage: tally-server group add --tenant T NAME\n"
                               "       tally-server group list --tenant T\n"
                               "       tally-server group add-member --tenant T GROUP PRINCIPAL"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto tenant = *args->get("tenant");
    const auto now = now_seconds();
    application::GroupAdmin admin(**store);
    if (sub == "add") {
        if (auto r = admin.add_group(tenant, pos[2], now); !r) {
            return fail(as_usage(r.error()));
        }
        std::cout << "group " << pos[2] << " added\n";
        return kExitOk;
    }
    if (sub == "add-member") {
        auto key = admin.add_member(tenant, pos[2], pos[3], now);
        if (!key) {
            return fail(key.error());
        }
        std::cout << *key << " is now in group " << pos[2] << "\n";
        return kExitOk;
    }
    auto groups = admin.list_groups(tenant);
    if (!groups) {
        return fail(groups.error());
    }
    std::cout << "group\tpackage\tmembers\n";
    for (const auto& g : *groups) {
        std::string members;
        for (const auto& m : g.members) {
            members += (members.empty() ? "" : ",") + m;
        }
        std::cout << g.name << '\t' << g.package.value_or("-") << '\t'
                  << (members.empty() ? "-" : members) << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
