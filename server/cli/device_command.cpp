// `tally-server device list --tenant NAME`: one tab-separated line per device after a
// header line: device_id, hostname, device_type, role, last_seq, last_seen, status.
// `tally-server device revoke ID`: the device is kept for audit, never billed again, and its
// uploads get 410 device_revoked (its agent goes to state revoked).
// `tally-server device assign-user ID PRINCIPAL | clear-user ID | set-type ID
// business|personal | retire ID`: the admin's billing corrections (DESIGN.md §5 rule 2).

#include <iostream>

#include "pairing/time_format.h"
#include "server/billing/user_key.h"
#include "server/cli/command.h"

namespace tally::server::cli {
namespace {

//! The device row, or not_found naming the id.
Result<Device> known_device(SqliteStore& store, const std::string& id) {
    auto found = store.find_device(id);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return make_error("not_found", "unknown device '" + id + "'");
    }
    return **found;
}

int run_revoke(const Args& args) {
    const auto& id = args.positional[2];
    auto store = store_for(args);
    if (!store) {
        return fail(store.error());
    }
    auto found = known_device(**store, id);
    if (!found) {
        return fail(found.error());
    }
    if (found->retired_at) {
        std::cout << id << " was already retired or revoked\n";
        return kExitOk;
    }
    if (auto r = (*store)->retire_device(id, "revoked", now_seconds()); !r) {
        return fail(r.error());
    }
    std::cout << "revoked " << id << "\n";
    return kExitOk;
}

int run_admin_edit(const Args& args) {
    const auto& pos = args.positional;
    const auto& sub = pos[1];
    const auto& id = pos[2];
    auto store = store_for(args);
    if (!store) {
        return fail(store.error());
    }
    auto found = known_device(**store, id);
    if (!found) {
        return fail(found.error());
    }
    const auto now = now_seconds();
    if (sub == "assign-user" || sub == "clear-user") {
        std::optional<std::string> key;
        if (sub == "assign-user") {
            key = billing::user_key_from_admin(pos[3]);
        }
        if (auto r = (*store)->assign_device_user(id, key, now); !r) {
            return fail(r.error());
        }
        std::cout << id << (key ? " is paired with " + *key : " has no assigned user") << "\n";
        return kExitOk;
    }
    if (sub == "set-type") {
        if (pos[3] != "business" && pos[3] != "personal") {
            return fail(make_error("usage", "device type must be business or personal"));
        }
        if (auto r = (*store)->set_device_type(id, pos[3], now); !r) {
            return fail(r.error());
        }
        std::cout << id << " is a " << pos[3] << " device\n";
        return kExitOk;
    }
    if (auto r = (*store)->retire_device(id, "retired by admin", now); !r) {
        return fail(r.error());
    }
    std::cout << "retired " << id << " (kept for audit, not billed from now on)\n";
    return kExitOk;
}

}  // namespace

int run_device(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "tenant"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;
    if (pos.size() == 3 && pos[1] == "revoke") {
        return run_revoke(*args);
    }
    if ((pos.size() == 4 && (pos[1] == "assign-user" || pos[1] == "set-type")) ||
        (pos.size() == 3 && (pos[1] == "clear-user" || pos[1] == "retire"))) {
        return run_admin_edit(*args);
    }
    if (pos.size() != 2 || pos[1] != "list" || !args->get("tenant")) {
        return fail(make_error("usage",
                               "usage: tally-server device list --tenant NAME [--data-dir DIR]\n"
                               "       tally-server device revoke DEVICE_ID [--data-dir DIR]\n"
                               "       tally-server device assign-user DEVICE_ID PRINCIPAL\n"
                               "       tally-server device clear-user DEVICE_ID\n"
                               "       tally-server device set-type DEVICE_ID business|personal\n"
                               "       tally-server device retire DEVICE_ID"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto tenant = *args->get("tenant");
    auto found = (*store)->find_tenant(tenant);
    if (!found) {
        return fail(found.error());
    }
    if (!*found) {
        return fail(make_error("not_found", "unknown tenant '" + tenant + "'"));
    }
    auto devices = (*store)->list_devices(tenant);
    if (!devices) {
        return fail(devices.error());
    }
    auto assigned = (*store)->device_assignments(tenant);
    if (!assigned) {
        return fail(assigned.error());
    }
    std::cout << "device_id\thostname\tdevice_type\trole\tlast_seq\tlast_seen\tstatus\t"
                 "assigned_user\n";
    for (const auto& d : *devices) {
        const char* status = d.retired_at        ? "retired"
                             : d.suspected_clone ? "suspected_clone"
                                                 : "active";
        std::cout << d.id << '\t' << printable(d.facts.hostname) << '\t' << d.facts.device_type
                  << '\t' << d.facts.role << '\t' << d.last_seq << '\t'
                  << (d.last_seen ? pairing::format_rfc3339(*d.last_seen) : "-") << '\t' << status;
        std::string user = "-";
        for (const auto& a : *assigned) {
            if (a.device_id == d.id && a.user_key) {
                user = printable(*a.user_key);
            }
        }
        std::cout << '\t' << user << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
