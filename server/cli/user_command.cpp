// `tally-server user list --tenant T`: every user seen on the tenant's devices (key,
// principal, first seen, last signal, status active|released, merged into).
// `tally-server user merge --tenant T FROM INTO`: two principals that are one person.

#include <iostream>
#include <map>

#include "pairing/time_format.h"
#include "server/application/user_admin.h"
#include "server/cli/command.h"

namespace tally::server::cli {
int run_user(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    const std::string sub = pos.size() > 1 ? pos[1] : "";
    const bool ok = (sub == "list" && pos.size() == 2) || (sub == "merge" && pos.size() == 4);
    if (!ok || !args->get("tenant")) {
        return fail(make_error("usage",
                               "usage: tally-server user list --tenant T\n"
                               "       tally-server user merge --tenant T FROM INTO"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto tenant = *args->get("tenant");
    application::UserAdmin admin(**store, **store);
    if (sub == "merge") {
        auto keys = admin.merge(tenant, pos[2], pos[3], now_seconds());
        if (!keys) {
            return fail(as_usage(keys.error()));
        }
        std::cout << keys->first << " merged into " << keys->second << "\n";
        return kExitOk;
    }
    auto users = admin.list(tenant, now_seconds());
    if (!users) {
        return fail(users.error());
    }
    std::cout << "user_key\tprincipal\tlocal\tfirst_seen\tlast_signal\tstatus\tmerged_into\n";
    for (const auto& u : *users) {
        std::cout << printable(u.key) << '\t' << printable(u.principal) << '\t'
                  << (u.local ? "true" : "false") << '\t' << pairing::format_rfc3339(u.first_seen)
                  << '\t' << pairing::format_rfc3339(u.last_signal) << '\t'
                  << application::to_string(u.status) << '\t'
                  << (u.merged_into ? printable(*u.merged_into) : "-") << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
