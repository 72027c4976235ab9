// `tally-server user list --tenant T`: every user seen on the tenant's devices (key,
// principal, first seen, last signal, status active|released, merged into).
// `tally-server user merge --tenant T FROM INTO`: two principals that are one person.

#include <iostream>
#include <map>

#include "pairing/time_format.h"
#include "server/billing/billing_engine.h"
#include "server/billing/user_key.h"
#include "server/cli/command.h"

namespace tally::server::cli {
int run_user(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant"});
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
    const auto now = now_seconds();
    if (sub == "merge") {
        const auto from = billing::user_key_from_admin(pos[2]);
        const auto into = billing::user_key_from_admin(pos[3]);
        if (auto r = (*store)->merge_users(tenant, from, into, now); !r) {
            return fail(r.error().code == "bad_request" ? make_error("usage", r.error().message)
                                                        : r.error());
        }
        std::cout << from << " merged into " << into << "\n";
        return kExitOk;
    }
    auto facts = (*store)->billing_facts(tenant, 0, 0);
    if (!facts) {
        return fail(facts.error());
    }
    std::cout << "user_key\tprincipal\tlocal\tfirst_seen\tlast_signal\tstatus\tmerged_into\n";
    for (const auto& s : facts->signals) {
        const auto key = billing::user_key(s.principal, s.local, s.device_id);
        const auto canonical = billing::resolve_alias(facts->aliases, key);
        const char* status = billing::is_surrogate(key)                        ? "purged"
                             : s.last_signal + billing::kReleaseSeconds <= now ? "released"
                                                                               : "active";
        std::cout << printable(key) << '\t' << printable(s.principal) << '\t'
                  << (s.local ? "true" : "false") << '\t' << pairing::format_rfc3339(s.first_seen)
                  << '\t' << pairing::format_rfc3339(s.last_signal) << '\t' << status << '\t'
                  << (canonical == key ? "-" : printable(canonical)) << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
