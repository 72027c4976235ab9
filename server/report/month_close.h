#pragma once
// Month close (DESIGN.md §5 rule 7): `grace_hours` after a month ends in the tenant's time
// zone, the tenant's bill for it is frozen as a snapshot (month_close_store.h; the report
// encoded by month_snapshot_codec.h) and every later report of that month is read from it:
// fast, and unchanged forever, whatever happens to groups, subscriptions, device types or
// the rollups afterwards. Heartbeats received after the close are late adjustments: listed
// beside the frozen bill (read live from the rollups), never in it.
//
// The snapshot is made once: by `serve`'s month-close job (periodic_month_close.h) soon after
// the close, or by the first report of the month that finds none. Two servers may race; the
// store keeps the first and both read that one back.

#include <cstdint>
#include <memory>
#include <string_view>

#include "pairing/result.h"
#include "server/report/report_rows.h"
#include "server/report/usage_report.h"
#include "server/store/store.h"

namespace tally::server {

//! The month's close instant (month end in the tenant's zone + grace_hours), as the report
//! states it (summary.closes_at). Errors: bad_request (month), not_found (tenant), db.
Result<std::int64_t> month_closes_at(Store& store, std::string_view tenant, std::string_view month);

//! Whether the month is closed at `now`: its close instant has passed, or it has a snapshot
//! (frozen once, closed for good, even if grace_hours is raised later).
Result<bool> month_is_closed(Store& store, std::string_view tenant, std::string_view month,
                             std::int64_t now);

//! Makes the month's snapshot if it has closed at `now` and has none. True when this call
//! stored it (false: still open, or made before, possibly by another server).
Result<bool> close_month(Store& store, std::string_view tenant, std::string_view month,
                         std::int64_t now);

//! Every tenant's closed months that have usage and no snapshot yet: closed (the periodic
//! job). Returns how many snapshots this call made; stops at the first error.
Result<std::int64_t> close_due_months(Store& store, std::int64_t now);

//! The report of a month closed at `now`: the snapshot (made now if missing) and the late
//! adjustments received so far.
Result<UsageReport> closed_month_report(Store& store, std::string_view tenant,
                                        std::string_view month, std::int64_t now);

//! A report ready to be written: `head` (summary, late adjustments) and its device and user
//! rows. Of a closed month the rows stay encoded in the snapshot and are decoded one at a
//! time as they are written (memory that does not grow with them); of an open month they are
//! head's own.
struct UsageRows {
    std::unique_ptr<UsageReport> head;  //!< on the heap: `rows` may refer to it
    std::unique_ptr<ReportRows> rows;
};

//! build_usage_report's report, for write_usage(*head, *rows, …). Errors: its errors.
Result<UsageRows> build_usage_rows(Store& store, std::string_view tenant, std::string_view month,
                                   std::int64_t now);

}  // namespace tally::server
