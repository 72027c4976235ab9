// `tally-server tenant add NAME [policy options] | list | set NAME [policy options]
//  | set-status NAME active|inactive|in_trial [--at WHEN] [--trial-end WHEN]
//  | set-trial NAME --trial-end WHEN | activate NAME | deactivate NAME`.
// Policy options: --time-zone IANA, --count-devices-by activity|signal, --default-package P,
// --grace-hours N, --trial-end WHEN. WHEN is YYYY-MM-DD (tenant-local midnight) or RFC 3339.

#include <iostream>

#include "pairing/time_format.h"
#include "server/application/tenant_admin.h"
#include "server/billing/tenant_policy.h"
#include "server/billing/tenant_status.h"
#include "server/billing/time_zone.h"
#include "server/cli/command.h"
#include "server/domain/error_code.h"

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
    "       tally-server tenant activate|deactivate NAME   (all take [--data-dir DIR] [--db URL])";

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

std::string opt_time(const std::optional<std::int64_t>& t) {
    return t ? pairing::format_rfc3339(*t) : "-";
}

int list(Store& store) {
    auto tenants = application::TenantAdmin(store).list(application::Caller::global());
    if (!tenants) {
        return fail(tenants.error());
    }
    const auto now = now_seconds();
    std::cout << "name\tstatus\ttrial_end\tinactive_since\ttime_zone\tcount_devices_by\t"
                 "default_package\tgrace_hours\tcreated_at\n";
    for (const auto& s : *tenants) {
        std::cout << s.name << '\t' << billing::effective_status(s, now) << '\t'
                  << opt_time(s.trial_end) << '\t' << opt_time(s.inactive_since) << '\t'
                  << s.time_zone << '\t' << s.count_devices_by << '\t' << s.default_package << '\t'
                  << s.grace_hours << '\t' << pairing::format_rfc3339(s.created_at) << '\n';
    }
    std::cout.flush();
    return kExitOk;
}

int add(Store& store, const std::string& name, const billing::Options& options) {
    auto added = application::TenantAdmin(store).add(name, options, now_seconds());
    if (!added) {
        return fail(as_usage(added.error()));
    }
    std::cout << "tenant " << name << " added (" << billing::effective_status(*added, now_seconds())
              << ")" << std::endl;
    return kExitOk;
}

int change(Store& store, const std::vector<std::string>& pos, const billing::Options& options) {
    const auto& sub = pos[1];
    const auto& name = pos[2];
    auto settings = store.tenant_settings(name);
    if (!settings) {
        return fail(settings.error());
    }
    auto what = application::TenantChange::status;
    std::string status = sub == "activate" ? "active" : sub == "deactivate" ? "inactive" : "";
    if (sub == "set" || sub == "set-trial") {
        what = sub == "set" ? application::TenantChange::policy : application::TenantChange::trial;
    } else if (sub == "set-status") {
        status = pos[3];
    }
    auto t =
        application::TenantAdmin(store).change(*settings, what, status, options, now_seconds());
    if (!t) {
        return fail(as_usage(t.error()));
    }
    std::cout << "tenant " << name << " is " << billing::effective_status(*t, now_seconds())
              << (t->trial_end ? ", trial ends " + opt_time(t->trial_end) : "")
              << (t->inactive_since ? ", inactive since " + opt_time(t->inactive_since) : "")
              << std::endl;
    return kExitOk;
}

}  // namespace

int run_tenant(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "time-zone", "trial-end", "count-devices-by",
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
    if (sub == "add") {
        return add(**store, pos[2], args->options);
    }
    return change(**store, pos, args->options);
}

}  // namespace tally::server::cli
