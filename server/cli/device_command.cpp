// `tally-server device list --tenant NAME`: one tab-separated line per device after a
// header line: device_id, hostname, device_type, role, last_seq, last_seen, status
// (active|suspected_clone|retired|revoked: the lifecycle state, domain/device_lifecycle.h),
// assigned_user.
// `tally-server device revoke ID`: the device is kept for audit, never billed again, and its
// uploads get 410 device_revoked (its agent goes to state revoked).
// `tally-server device assign-user ID PRINCIPAL | clear-user ID | set-type ID
// business|personal | retire ID`: the admin's billing corrections (DESIGN.md §5 rule 2).

#include <iostream>

#include "pairing/time_format.h"
#include "server/application/device_admin.h"
#include "server/cli/command.h"
#include "server/domain/error_code.h"

namespace tally::server::cli {
namespace {

using application::DeviceAdmin;

int run_revoke(const Args& args) {
    const auto& id = args.positional[2];
    auto store = store_for(args);
    if (!store) {
        return fail(store.error());
    }
    DeviceAdmin admin(**store);
    auto found = admin.find(id, std::nullopt);
    if (!found) {
        return fail(found.error());
    }
    auto revoked = admin.revoke(*found, now_seconds());
    if (!revoked && domain::code_of(revoked.error()) != domain::ErrorCode::device_retired) {
        return fail(revoked.error());
    }
    if (!revoked || !revoked->changes) {
        std::cout << id << " was already retired or revoked\n";
        return kExitOk;
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
    DeviceAdmin admin(**store);
    auto found = admin.find(id, std::nullopt);
    if (!found) {
        return fail(found.error());
    }
    const auto now = now_seconds();
    if (sub == "assign-user" || sub == "clear-user") {
        auto key = admin.assign_user(
            *found, sub == "assign-user" ? std::optional<std::string>(pos[3]) : std::nullopt, now);
        if (!key) {
            return fail(key.error());
        }
        std::cout << id << (*key ? " is paired with " + **key : " has no assigned user") << "\n";
        return kExitOk;
    }
    if (sub == "set-type") {
        if (auto r = admin.set_type(*found, pos[3], now); !r) {
            return fail(domain::code_of(r.error()) == domain::ErrorCode::bad_request
                            ? domain::make_error(domain::ErrorCode::usage,
                                                 "device type must be business or personal")
                            : r.error());
        }
        std::cout << id << " is a " << pos[3] << " device\n";
        return kExitOk;
    }
    if (auto r = admin.retire(*found, "retired by admin", now); !r) {
        return fail(r.error());
    }
    std::cout << "retired " << id << " (kept for audit, not billed from now on)\n";
    return kExitOk;
}

//! The state column: "active" for a paired device (the label the list always used).
std::string_view status_label(domain::DeviceState state) {
    return state == domain::DeviceState::paired ? "active" : domain::to_string(state);
}

int list(const Args& args) {
    auto store = store_for(args);
    if (!store) {
        return fail(store.error());
    }
    const auto tenant = *args.get("tenant");
    auto found = (*store)->find_tenant(tenant);
    if (!found) {
        return fail(found.error());
    }
    if (!*found) {
        return fail(make_error("not_found", "unknown tenant '" + tenant + "'"));
    }
    auto devices = DeviceAdmin(**store).list(tenant);
    if (!devices) {
        return fail(devices.error());
    }
    std::cout << "device_id\thostname\tdevice_type\trole\tlast_seq\tlast_seen\tstatus\t"
                 "assigned_user\n";
    for (const auto& v : *devices) {
        const auto& d = v.device;
        std::cout << d.id << '\t' << printable(d.facts.hostname) << '\t' << d.facts.device_type
                  << '\t' << d.facts.role << '\t' << d.last_seq << '\t'
                  << (d.last_seen ? pairing::format_rfc3339(*d.last_seen) : "-") << '\t'
                  << status_label(v.state) << '\t'
                  << (v.assigned_user ? printable(*v.assigned_user) : "-") << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace

int run_device(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant"});
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
                               "       tally-server device retire DEVICE_ID\n"
                               "       (each takes [--data-dir DIR] [--db URL])"));
    }
    return list(*args);
}

}  // namespace tally::server::cli
