// Redaction of purged users in closed-month snapshots (see snapshot_redaction.h).

#include "server/report/snapshot_redaction.h"

#include <map>
#include <string>

#include "server/report/device_explanation.h"
#include "server/report/month_snapshot_codec.h"

namespace tally::server {
namespace {

using Names = std::map<std::string, std::string, std::less<>>;  //!< name -> surrogate

//! Replaces every text field equal to a purged name by its surrogate and rebuilds the
//! explanations (they quote names). True when anything named a purged user.
bool redact(UsageReport& report, const Names& names) {
    bool named = false;
    each_snapshot_text(report, [&](std::string& text) {
        if (const auto it = names.find(text); it != names.end()) {
            text = it->second;
            named = true;
        }
    });
    if (named) {
        for (auto& row : report.devices) {
            row.explanation = explain_device(row.billing, row.inactive_span_heartbeats);
        }
    }
    return named;
}

Result<std::int64_t> redact_tenant(MonthCloseStore& store, const std::string& tenant,
                                   const Names& names) {
    const auto months = store.months_with_snapshot(tenant);
    if (!months) {
        return months.error();
    }
    std::int64_t rewritten = 0;
    for (const auto& month : *months) {
        const auto snapshot = store.month_snapshot(tenant, month);
        if (!snapshot) {
            return snapshot.error();
        }
        if (!*snapshot) {
            continue;
        }
        auto report = decode_month_snapshot((*snapshot)->body);
        if (!report) {
            return report.error();
        }
        if (!redact(*report, names)) {
            continue;
        }
        if (auto r = store.redact_month_snapshot(tenant, month, encode_month_snapshot(*report));
            !r) {
            return r.error();
        }
        ++rewritten;
    }
    return rewritten;
}

}  // namespace

Result<std::int64_t> redact_month_snapshots(MonthCloseStore& store,
                                            const std::vector<PurgedUser>& purged) {
    std::map<std::string, Names> by_tenant;
    for (const auto& user : purged) {
        for (const auto& name : user.names) {
            by_tenant[user.tenant].emplace(name, user.surrogate);
        }
    }
    std::int64_t rewritten = 0;
    for (const auto& [tenant, names] : by_tenant) {
        auto n = redact_tenant(store, tenant, names);
        if (!n) {
            return n.error();
        }
        rewritten += *n;
    }
    return rewritten;
}

}  // namespace tally::server
