// `tally-server admin-token create [--tenant NAME]`: prints only the new token (shown once;
// the database keeps its SHA-256). Without --tenant the token reads every tenant.

#include <iostream>

#include "server/auth/admin_token.h"
#include "server/cli/command.h"

namespace tally::server::cli {

int run_admin_token(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    if (pos.size() != 2 || pos[1] != "create") {
        return fail(make_error(
            "usage", "usage: tally-server admin-token create [--tenant NAME] [--data-dir DIR]"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto token = generate_admin_token();
    if (auto r =
            (*store)->add_admin_token(hash_admin_token(token), args->get("tenant"), now_seconds());
        !r) {
        return fail(r.error());
    }
    std::cout << token << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
