// `tally-server tenant add NAME [policy options] | list | set NAME [policy options]
//  | set-status NAME active|inactive|in_trial [--at WHEN] [--trial-end WHEN]
//  | set-trial NAME --trial-end WHEN | activate NAME | deactivate NAME`.
// Policy options: --time-zone IANA, --count-devices-by activity|signal, --default-package P,
// --grace-hours N, --trial-end WHEN. WHEN is YYYY-MM-DD (tenant-local midnight) or RFC 3339.

#include <iostream>

#include "pairing/time_format.h"
#include "server/billing/tenant_policy.h"
#include "server/billing/tenant_status.h"
#include "server/billing/time_zone.h"
#include "server/cli/command.h"

namespace tally::server::cli {
namespace {

constexpr const char* kUsage =
    "usage: tally-server tenant add NAME [--time-zone Z] [--trial-end WHEN]\n"
    "           [--count-devices-by activity|signal] [--default-package P] [--grace-hours N]\n"
    "       tally-server tenant list\n"
    "       tally-server tenant set NAME [same options as add]\n"
    "       tally-server tenant set-status NAME active|inactive|in_trial [--at WHEN]"
    " [--trial-end WHEN]\n"
    "       tally-server tenant set-trial NAME --trial-end WHEN\n"
    "       tally-server tenant activate|deactivate NAME   (all take [--data-dir DIR])";

Result<void> check_name(const std::string& name) {
    if (name.empty() || name.size() > 64) {
        return make_error("usage", "tenant name must be 1-64 characters");
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return make_error("usage", "tenant name '" + name +
                                           "' may use only letters, digits, '-', '_' and '.'");
        }
    }
    return {};
}

Result<void> as_usage(Result<void> r) {
    if (!r && r.error().code == "bad_request") {
        return make_error("usage", r.error().message);
    }
    return r;
}

std::string opt_time(const std::optional<std::int64_t>& t) {
    return t ? pairing::format_rfc3339(*t) : "-";
}

int list(Store& store) {
    auto tenants = store.list_tenants();
    if (!tenants) {
        return fail(tenants.error());
    }
    const auto now = now_seconds();
    std::cout << "name\tstatus\ttrial_end\tinactive_since\ttime_zone\tcount_devices_by\t"
                 "default_package\tgrace_hours\tcreated_at\n";
    for (const auto& t : *tenants) {
        auto s = store.tenant_settings(t.name);
        if (!s) {
            return fail(s.error());
        }
        std::cout << s->name << '\t' << billing::effective_status(*s, now) << '\t'
                  << opt_time(s->trial_end) << '\t' << opt_time(s->inactive_since) << '\t'
                  << s->time_zone << '\t' << s->count_devices_by << '\t' << s->default_package
                  << '\t' << s->grace_hours << '\t' << pairing::format_rfc3339(s->created_at)
                  << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

}  // namespace

int run_tenant(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "time-zone", "trial-end", "count-devices-by",
                                   "default-package", "grace-hours", "at"});
    if (!args) {
        return fail(args.error());
    }
    const auto& pos = args->positional;  // "tenant", sub, [NAME], [STATUS]
    const std::string sub = pos.size() > 1 ? pos[1] : "";
    const bool takes_name = sub == "add" || sub == "activate" || sub == "deactivate" ||
                            sub == "set" || sub == "set-trial";
    const bool ok = (takes_name && pos.size() == 3) || (sub == "list" && pos.size() == 2) ||
                    (sub == "set-status" && pos.size() == 4);
    if (!ok || (sub == "set-trial" && !args->get("trial-end"))) {
        return fail(make_error("usage", kUsage));
    }
    if (pos.size() > 2) {
        if (auto r = check_name(pos[2]); !r) {
            return fail(r.error());
        }
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    if (sub == "list") {
        return list(**store);
    }
    const auto& name = pos[2];
    if (sub == "add") {
        TenantSettings t;
        t.name = name;
        if (auto r = as_usage(billing::apply_tenant_policy(t, args->options)); !r) {
            return fail(r.error());
        }
        if (auto r = (*store)->add_tenant(name, now_seconds()); !r) {
            return fail(r.error());
        }
        if (auto r = (*store)->update_tenant_settings(t); !r) {
            return fail(r.error());
        }
        std::cout << "tenant " << name << " added (" << billing::effective_status(t, now_seconds())
                  << ")" << std::endl;
        return kExitOk;
    }
    auto settings = (*store)->tenant_settings(name);
    if (!settings) {
        return fail(settings.error());
    }
    Result<void> changed;
    if (sub == "set" || sub == "set-trial") {
        changed = as_usage(billing::apply_tenant_policy(*settings, args->options));
    } else {
        const std::string status = sub == "activate"     ? "active"
                                   : sub == "deactivate" ? "inactive"
                                                         : pos[3];
        changed = as_usage(
            billing::change_tenant_status(*settings, status, args->options, now_seconds()));
    }
    if (!changed) {
        return fail(changed.error());
    }
    if (auto r = (*store)->update_tenant_settings(*settings); !r) {
        return fail(r.error());
    }
    std::cout << "tenant " << name << " is " << billing::effective_status(*settings, now_seconds())
              << (settings->trial_end ? ", trial ends " + opt_time(settings->trial_end) : "")
              << (settings->inactive_since
                      ? ", inactive since " + opt_time(settings->inactive_since)
                      : "")
              << std::endl;
    return kExitOk;
}

}  // namespace tally::server::cli
