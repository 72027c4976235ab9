// `tally-server device list --tenant NAME`: one tab-separated line per device after a
// header line: device_id, hostname, device_type, role, last_seq, last_seen, status.
// `tally-server device revoke ID`: the device is kept for audit, never billed again, and its
// uploads get 410 device_revoked (its agent goes to state revoked).

#include <iostream>

#include "pairing/time_format.h"
#include "server/cli/command.h"

namespace tally::server::cli {
namespace {

// Device facts come from agents: keep them from breaking the one-line-per-device output.
std::string printable(const std::string& text) {
    std::string out = text;
    for (auto& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = '?';
        }
    }
    return out;
}

int run_revoke(const Args& args) {
    const auto& id = args.positional[2];
    auto dir = data_dir(args);
    if (!dir) {
        return fail(dir.error());
    }
    auto store = open_store(*dir);
    if (!store) {
        return fail(store.error());
    }
    auto found = (*store)->find_device(id);
    if (!found) {
        return fail(found.error());
    }
    if (!*found) {
        return fail(make_error("not_found", "unknown device '" + id + "'"));
    }
    if ((*found)->retired_at) {
        std::cout << id << " was already retired or revoked\n";
        return kExitOk;
    }
    if (auto r = (*store)->retire_device(id, "revoked", now_seconds()); !r) {
        return fail(r.error());
    }
    std::cout << "revoked " << id << "\n";
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
    if (pos.size() != 2 || pos[1] != "list" || !args->get("tenant")) {
        return fail(make_error("usage",
                               "usage: tally-server device list --tenant NAME [--data-dir DIR]\n"
                               "       tally-server device revoke DEVICE_ID [--data-dir DIR]"));
    }
    auto dir = data_dir(*args);
    if (!dir) {
        return fail(dir.error());
    }
    auto store = open_store(*dir);
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
    std::cout << "device_id\thostname\tdevice_type\trole\tlast_seq\tlast_seen\tstatus\n";
    for (const auto& d : *devices) {
        const char* status = d.retired_at        ? "retired"
                             : d.suspected_clone ? "suspected_clone"
                                                 : "active";
        std::cout << d.id << '\t' << printable(d.facts.hostname) << '\t' << d.facts.device_type
                  << '\t' << d.facts.role << '\t' << d.last_seq << '\t'
                  << (d.last_seen ? pairing::format_rfc3339(*d.last_seen) : "-") << '\t' << status
                  << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace tally::server::cli
