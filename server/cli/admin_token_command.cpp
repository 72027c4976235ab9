// `tally-server admin-token create [--tenant NAME] [--name TEXT] [--expires 90d]`: prints
// only the new token, once (the database keeps its SHA-256; it cannot be shown again).
// Without --tenant the token reads every tenant.
// `tally-server admin-token list`: id, name, tenant, created, expires, state; never a token.
// `tally-server admin-token revoke ID`: the token stops working at once.
// The use cases are application::TokenAdmin's (the same as /v1/admin-tokens).

#include <iostream>

#include "pairing/time_format.h"
#include "server/application/token_admin.h"
#include "server/cli/command.h"

namespace tally::server::cli {
namespace {

using application::Caller;
using application::TokenAdmin;

constexpr const char* kUsage =
    "usage: tally-server admin-token create [--tenant NAME] [--name TEXT] [--expires 90d]\n"
    "       tally-server admin-token list\n"
    "       tally-server admin-token revoke ID\n"
    "       (each with [--data-dir DIR])";

std::string when(const std::optional<std::int64_t>& t, const char* none) {
    return t ? pairing::format_rfc3339(*t) : std::string(none);
}

int create(const Args& args, Store& store) {
    application::NewToken request{args.get("tenant"), args.get_or("name", ""),
                                  args.get_or("expires", "90d")};
    auto issued = TokenAdmin(store).create(Caller::global(), request, now_seconds());
    if (!issued) {
        // A bad option is a usage error on the command line (exit 64).
        const auto& e = issued.error();
        return fail(e.code == "bad_request" ? make_error("usage", "--" + e.message) : e);
    }
    std::cout << issued->token << std::endl;
    std::cerr << "admin token " << issued->id << " expires "
              << pairing::format_rfc3339(issued->expires_at)
              << "; it is shown only now: store it safely" << std::endl;
    return kExitOk;
}

int list(Store& store) {
    auto tokens = TokenAdmin(store).list(Caller::global(), now_seconds());
    if (!tokens) {
        return fail(tokens.error());
    }
    std::cout << "id\tname\ttenant\tcreated\texpires\tstate\n";
    for (const auto& [t, state] : *tokens) {
        std::cout << t.id << '\t' << printable(t.name) << '\t'
                  << printable(t.tenant.value_or("(global)")) << '\t'
                  << pairing::format_rfc3339(t.created_at) << '\t' << when(t.expires_at, "never")
                  << '\t' << application::to_string(state) << '\n';
    }
    std::cout << std::flush;
    return kExitOk;
}

}  // namespace

int run_admin_token(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant", "name", "expires"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    const std::string verb = pos.size() >= 2 ? pos[1] : "";
    const bool shape_ok = (verb == "create" && pos.size() == 2) ||
                          (verb == "list" && pos.size() == 2) ||
                          (verb == "revoke" && pos.size() == 3);
    if (!shape_ok) {
        return fail(make_error("usage", kUsage));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    if (verb == "create") {
        return create(*args, **store);
    }
    if (verb == "list") {
        return list(**store);
    }
    if (auto r = TokenAdmin(**store).revoke(Caller::global(), pos[2], now_seconds()); !r) {
        return fail(r.error());
    }
    std::cout << "admin token " << printable(pos[2]) << " revoked" << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
