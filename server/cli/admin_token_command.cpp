// `tally-server admin-token create [--tenant NAME] [--name TEXT] [--expires 90d]`: prints
// only the new token, once (the database keeps its SHA-256; it cannot be shown again).
// Without --tenant the token reads every tenant.
// `tally-server admin-token list`: id, name, tenant, created, expires, state; never a token.
// `tally-server admin-token revoke ID`: the token stops working at once.

#include <iostream>

#include "pairing/time_format.h"
#include "server/auth/admin_token.h"
#include "server/cli/command.h"
#include "server/cli/duration.h"

namespace tally::server::cli {
namespace {

constexpr const char* kUsage =
    "usage: tally-server admin-token create [--tenant NAME] [--name TEXT] [--expires 90d]\n"
    "       tally-server admin-token list\n"
    "       tally-server admin-token revoke ID\n"
    "       (each with [--data-dir DIR] [--db URL])";

std::string when(const std::optional<std::int64_t>& t, const char* none) {
    return t ? pairing::format_rfc3339(*t) : std::string(none);
}

int create(const Args& args, Store& store) {
    const auto expires = args.get_or("expires", "90d");
    const auto lifetime = parse_duration_seconds(expires);
    if (!lifetime) {
        return fail(make_error("usage", "--expires must be a duration such as 90d or 12h, not '" +
                                            printable(expires) + "'"));
    }
    const auto name = args.get_or("name", "");
    if (name.size() > 128) {
        return fail(make_error("usage", "--name must be at most 128 bytes"));
    }
    const auto token = generate_admin_token();
    const auto now = now_seconds();
    NewAdminToken made{hash_admin_token(token), args.get("tenant"), name, now + *lifetime};
    if (auto r = store.create_admin_token(made, now); !r) {
        return fail(r.error());
    }
    std::cout << token << std::endl;
    std::cerr << "admin token " << made.token_hash.substr(0, 12) << " expires "
              << pairing::format_rfc3339(*made.expires_at)
              << "; it is shown only now: store it safely" << std::endl;
    return kExitOk;
}

int list(Store& store) {
    auto tokens = store.list_admin_tokens();
    if (!tokens) {
        return fail(tokens.error());
    }
    const auto now = now_seconds();
    std::cout << "id\tname\ttenant\tcreated\texpires\tstate\n";
    for (const auto& t : *tokens) {
        const char* state = t.revoked_at                             ? "revoked"
                            : (t.expires_at && *t.expires_at <= now) ? "expired"
                                                                     : "active";
        std::cout << t.id << '\t' << printable(t.name) << '\t'
                  << printable(t.tenant.value_or("(global)")) << '\t'
                  << pairing::format_rfc3339(t.created_at) << '\t' << when(t.expires_at, "never")
                  << '\t' << state << '\n';
    }
    std::cout << std::flush;
    return kExitOk;
}

}  // namespace

int run_admin_token(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant", "name", "expires"});
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
    if (auto r = (*store)->revoke_admin_token(pos[2], now_seconds()); !r) {
        return fail(r.error());
    }
    std::cout << "admin token " << printable(pos[2]) << " revoked" << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
