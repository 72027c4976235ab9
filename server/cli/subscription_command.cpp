// `tally-server subscription attach --tenant T --group G --package P | list --tenant T`.
// The newest attachment to a group wins; members without a group get the tenant default.

#include <iostream>

#include "pairing/time_format.h"
#include "server/application/group_admin.h"
#include "server/cli/command.h"
#include "server/domain/error_code.h"

namespace tally::server::cli {

int run_subscription(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant", "group", "package"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    const std::string sub = pos.size() == 2 ? pos[1] : "";
    const bool attach = sub == "attach" && args->get("group") && args->get("package");
    if ((!attach && sub != "list") || !args->get("tenant")) {
        return fail(make_error("usage",
                               "usage: tally-server subscription attach --tenant T --group G "
                               "--package P\n       tally-server subscription list --tenant T"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto tenant = *args->get("tenant");
    application::GroupAdmin admin(**store);
    if (attach) {
        const auto package = *args->get("package");
        if (auto r = admin.attach(tenant, *args->get("group"), package, now_seconds()); !r) {
            return fail(domain::code_of(r.error()) == domain::ErrorCode::bad_request
                            ? domain::make_error(domain::ErrorCode::usage,
                                                 "--package must be 1-64 characters")
                            : r.error());
        }
        std::cout << "package " << package << " attached to group " << *args->get("group") << "\n";
        return kExitOk;
    }
    auto subs = admin.list_subscriptions(tenant);
    if (!subs) {
        return fail(subs.error());
    }
    std::cout << "group\tpackage\tattached_at\n";
    for (const auto& s : *subs) {
        std::cout << s.group << '\t' << s.package << '\t' << pairing::format_rfc3339(s.attached_at)
                  << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
