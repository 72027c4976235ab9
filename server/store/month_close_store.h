#pragma once
// Month close (DESIGN.md §5 rule 7): the frozen bill of a closed tenant-month. One of the
// narrow store interfaces (store.h lists them). A snapshot is written once: the first writer
// wins and later writers change nothing (INSERT … ON CONFLICT DO NOTHING), so two servers
// closing the same month at once store one snapshot and both read it back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::server {

//! One tenant-month's frozen report, encoded by server/report/month_snapshot_codec.h (the
//! store keeps the bytes and never reads inside them).
struct MonthSnapshot {
    std::string month;           //!< "YYYY-MM", the tenant's time zone
    std::int64_t closed_at = 0;  //!< when the snapshot was made (at or after the close)
    std::int64_t format_version = 0;
    std::string body;  //!< the encoded report
};

class MonthCloseStore {
  public:
    virtual ~MonthCloseStore() = default;

    //! The month's snapshot, if one was made. Errors: not_found (tenant), db.
    virtual Result<std::optional<MonthSnapshot>> month_snapshot(std::string_view tenant,
                                                                std::string_view month) = 0;
    //! Stores `snapshot` unless the month already has one (then nothing changes). True when
    //! this call stored it. Errors: not_found (tenant), db.
    virtual Result<bool> put_month_snapshot(std::string_view tenant,
                                            const MonthSnapshot& snapshot) = 0;
    //! Heartbeats of the month ("YYYY-MM") received at or after its close (late adjustments),
    //! from the month rollups. Errors: not_found (tenant), db.
    virtual Result<std::int64_t> late_heartbeats(std::string_view tenant,
                                                 std::string_view month) = 0;
    //! The months ("YYYY-MM", ascending) with usage rollups and no snapshot yet (the month-close
    //! job's candidates; whether each has closed is the caller's rule). Errors: not_found, db.
    virtual Result<std::vector<std::string>> months_without_snapshot(std::string_view tenant) = 0;
    //! The months ("YYYY-MM", ascending) that have a snapshot. Errors: not_found (tenant), db.
    virtual Result<std::vector<std::string>> months_with_snapshot(std::string_view tenant) = 0;
    //! Replaces the body of the month's existing snapshot (its closed_at and format version
    //! stay); used only to redact purged users' names (DESIGN.md §5 rule 4), never to change
    //! a frozen figure. Errors: not_found (tenant, or the month has no snapshot), db.
    virtual Result<void> redact_month_snapshot(std::string_view tenant, std::string_view month,
                                               const std::string& body) = 0;
};

}  // namespace tally::server
