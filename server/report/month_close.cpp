// Month close (see month_close.h).

#include "server/report/month_close.h"

#include "server/billing/time_zone.h"
#include "server/report/month_snapshot_codec.h"

namespace tally::server {
namespace {

//! The snapshot of a closed month, made from the rollups now if the store has none; always
//! the stored one (another server may have stored its own first).
Result<MonthSnapshot> stored_snapshot(Store& store, std::string_view tenant, std::string_view month,
                                      std::int64_t now) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto found = store.month_snapshot(tenant, month);
        if (!found) {
            return found.error();
        }
        if (*found) {
            return std::move(**found);
        }
        auto made = close_month(store, tenant, month, now);
        if (!made) {
            return made.error();
        }
    }
    return make_error("db", "the snapshot of " + std::string(month) + " was stored but not found");
}

}  // namespace

Result<std::int64_t> month_closes_at(Store& store, std::string_view tenant,
                                     std::string_view month) {
    auto settings = store.tenant_settings(tenant);
    if (!settings) {
        return settings.error();
    }
    auto tz = billing::TimeZone::load(settings->time_zone);
    if (!tz) {
        return tz.error();
    }
    const auto range = tz->month_range(month);
    if (!range) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    return range->second + settings->grace_hours * 3600;
}

Result<bool> close_month(Store& store, std::string_view tenant, std::string_view month,
                         std::int64_t now) {
    const auto closes_at = month_closes_at(store, tenant, month);
    if (!closes_at) {
        return closes_at.error();
    }
    if (now < *closes_at) {
        return false;
    }
    // The bill as at the close: heartbeats received after it are left out by the report itself
    // (Period::received_before), whenever the snapshot is made.
    auto report = build_usage_report_from_rollups(store, tenant, month, now);
    if (!report) {
        return report.error();
    }
    return store.put_month_snapshot(
        tenant, {std::string(month), now, kMonthSnapshotFormat, encode_month_snapshot(*report)});
}

Result<std::int64_t> close_due_months(Store& store, std::int64_t now) {
    auto tenants = store.list_tenants();
    if (!tenants) {
        return tenants.error();
    }
    std::int64_t made = 0;
    for (const auto& tenant : *tenants) {
        auto months = store.months_without_snapshot(tenant.name);
        if (!months) {
            return months.error();
        }
        for (const auto& month : *months) {
            auto closed = close_month(store, tenant.name, month, now);
            if (!closed) {
                return closed.error();
            }
            made += *closed ? 1 : 0;
        }
    }
    return made;
}

namespace {

//! The closed month's report without its rows into `head` (the snapshot's, made now if
//! missing, and the late adjustments received so far); its rows, still encoded.
Result<std::unique_ptr<SnapshotRows>> closed_month_rows(Store& store, std::string_view tenant,
                                                        std::string_view month, std::int64_t now,
                                                        UsageReport& head) {
    auto snapshot = stored_snapshot(store, tenant, month, now);
    if (!snapshot) {
        return snapshot.error();
    }
    if (snapshot->format_version != kMonthSnapshotFormat) {
        return make_error("db", "the snapshot of " + std::string(month) + " is of format " +
                                    std::to_string(snapshot->format_version) +
                                    ", this server reads " + std::to_string(kMonthSnapshotFormat));
    }
    auto rows = SnapshotRows::open(std::move(snapshot->body), head);
    if (!rows) {
        return rows.error();
    }
    auto late = store.late_heartbeats(tenant, month);
    if (!late) {
        return late.error();
    }
    if (*late > 0) {
        // Rare and small: the late buckets and what they would add, from the rollups.
        auto live = build_usage_report_from_rollups(store, tenant, month, now);
        if (!live) {
            return live.error();
        }
        head.late = std::move(live->late);
        head.summary.late_adjustments = live->summary.late_adjustments;
        head.summary.late_units_delta = live->summary.late_units_delta;
    }
    return rows;
}

}  // namespace

Result<UsageReport> closed_month_report(Store& store, std::string_view tenant,
                                        std::string_view month, std::int64_t now) {
    UsageReport report;
    auto rows = closed_month_rows(store, tenant, month, now, report);
    if (!rows) {
        return rows.error();
    }
    try {
        report.devices.reserve((*rows)->device_count());
        (*rows)->each_device([&](const DeviceReportRow& row) { report.devices.push_back(row); });
        report.users.reserve((*rows)->user_count());
        (*rows)->each_user([&](const billing::UserBilling& u) { report.users.push_back(u); });
    } catch (const RowsDamaged&) {
        return make_error("db", "the snapshot of " + std::string(month) + " is damaged");
    }
    return report;
}

Result<bool> month_is_closed(Store& store, std::string_view tenant, std::string_view month,
                             std::int64_t now) {
    const auto closes_at = month_closes_at(store, tenant, month);
    if (!closes_at) {
        return closes_at.error();
    }
    if (now >= *closes_at) {
        return true;
    }
    // Frozen once, closed for good: a grace_hours raised later does not reopen it.
    auto found = store.month_snapshot(tenant, month);
    if (!found) {
        return found.error();
    }
    return found->has_value();
}

Result<UsageRows> build_usage_rows(Store& store, std::string_view tenant, std::string_view month,
                                   std::int64_t now) {
    const auto closed = month_is_closed(store, tenant, month, now);
    if (!closed) {
        return closed.error();
    }
    UsageRows out;
    out.head = std::make_unique<UsageReport>();
    if (*closed) {
        auto rows = closed_month_rows(store, tenant, month, now, *out.head);
        if (!rows) {
            return rows.error();
        }
        out.rows = std::move(*rows);
        return out;
    }
    // The open month: each device row made as it is written, none held whole.
    auto rows = usage_rows_from_rollups(store, tenant, month, now, *out.head);
    if (!rows) {
        return rows.error();
    }
    out.rows = std::move(*rows);
    return out;
}

}  // namespace tally::server
