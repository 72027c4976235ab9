#pragma once
// The monthly usage report of one tenant (DESIGN.md §5): the billing engine's answer for the
// month in the tenant's time zone, the part of it that is billed (not during the trial, not
// after inactivation), and, once the month has closed (grace_hours after its end), only what
// was received before the close; heartbeats received later are listed as late adjustments
// and never change the closed numbers. The JSON shape is documented in REPORT.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/billing/billing_engine.h"
#include "server/store/store.h"

namespace tally::server {

class ReportRows;

struct UsageSummary {
    std::int64_t active_devices = 0;
    std::int64_t active_users = 0;
    std::int64_t standalone_devices = 0;  //!< including overflow devices
    std::int64_t overflow_devices = 0;
    std::int64_t billable_units = 0;  //!< billed: outside the trial, before inactivation
    std::int64_t reported_units = 0;  //!< the whole month under the same rules
    std::vector<billing::PackageUnits> packages;  //!< billed units per package
    std::string tenant_status;                    //!< at generation time
    bool trial = false;                           //!< some of the month was in the trial
    std::optional<std::int64_t> trial_end;
    std::optional<std::int64_t> inactive_since;
    std::optional<std::int64_t> billable_from;  //!< nullopt: nothing billed this month
    std::optional<std::int64_t> billable_to;
    std::string time_zone;
    std::int64_t month_start = 0;
    std::int64_t month_end = 0;
    std::int64_t closes_at = 0;
    bool closed = false;
    std::int64_t late_adjustments = 0;  //!< heartbeats received after the close
    std::int64_t late_units_delta = 0;  //!< billable units they would have added
    //! The tenant's inactive spans in the month (a current one runs to the month's end): their
    //! heartbeats are kept as evidence and never billed, whenever they arrive.
    std::vector<billing::TimeSpan> inactive_spans;
    std::int64_t inactive_span_heartbeats = 0;  //!< of the month, in those spans
};

struct DeviceReportRow {
    DeviceUsageRow usage;  //!< device, numbers of the month, evidence
    bool active = false;
    billing::DeviceBilling billing;
    std::int64_t inactive_span_heartbeats = 0;  //!< started while the tenant was inactive
    std::string explanation;                    //!< device_explanation.h
};

//! Late heartbeats of one device hour (the report reads rollup buckets, not heartbeats).
struct LateHeartbeat {
    std::string device_id;
    std::string hostname;
    std::int64_t start = 0;        //!< the bucket's earliest start
    std::int64_t received_at = 0;  //!< at or after the close (the bucket's month's close)
    std::int64_t device_active_minutes = 0;
    std::vector<std::string> users;  //!< principals with active minutes
    std::int64_t heartbeats = 1;     //!< late heartbeats of the device hour it stands for
};

struct UsageReport {
    std::string tenant;
    std::string month;  //!< "YYYY-MM"
    std::int64_t generated_at = 0;
    UsageSummary summary;
    std::vector<DeviceReportRow> devices;
    std::vector<billing::UserBilling> users;
    std::vector<LateHeartbeat> late;
};

//! The month's report: of an open month computed from the rollups; of a closed month read
//! from its frozen snapshot, made at the first request if the month-close job has not made it
//! yet (month_close.h), with the late adjustments received since.
//! Errors: bad_request (month not YYYY-MM, bad time zone), not_found (unknown tenant), db.
Result<UsageReport> build_usage_report(Store& store, std::string_view tenant,
                                       std::string_view month, std::int64_t now);

//! What the billing engine is fed: kMonth, one whole-month fact per device no billing cut
//! splits inside the month (the month rollups) and the hourly buckets for the others; kHourly,
//! the hourly buckets of every device. The report is the same (byte for byte); kMonth reads a
//! row per device instead of one per device-hour.
enum class FactGrain { kMonth, kHourly };

//! The month's report computed from the rollups at `now`, snapshot or not (what a snapshot is
//! made of). Errors: build_usage_report's.
Result<UsageReport> build_usage_report_from_rollups(Store& store, std::string_view tenant,
                                                    std::string_view month, std::int64_t now,
                                                    FactGrain grain = FactGrain::kMonth);

//! The same report ready to be written: `head` gets its summary and late adjustments, the
//! rows its devices and users, each device row made only when a writer visits it
//! (open_month_rows.h) and without the device fields no writer reads (public key,
//! fingerprint, OS): what the open month's downloads write (month_close.h build_usage_rows).
//! The bytes written are those of build_usage_report_from_rollups's report.
Result<std::unique_ptr<ReportRows>> usage_rows_from_rollups(Store& store, std::string_view tenant,
                                                            std::string_view month,
                                                            std::int64_t now, UsageReport& head,
                                                            FactGrain grain = FactGrain::kMonth);

}  // namespace tally::server
