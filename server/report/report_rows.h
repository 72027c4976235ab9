#pragma once
// The device and user rows of a usage report as the writers visit them, in order: the
// report's own vectors (InMemoryRows), or a closed month's snapshot decoded one row at a time
// (month_snapshot_codec.h SnapshotRows), so that writing a frozen report takes memory that
// does not grow with its rows.

#include <cstddef>
#include <functional>
#include <stdexcept>

#include "pairing/result.h"

#include "server/report/usage_report.h"

namespace tally::server {

//! Thrown by a visit that meets a row it cannot decode (a damaged snapshot): a writer whose
//! output is not final until it ends (XLSX) catches it and fails with nothing written.
struct RowsDamaged : std::runtime_error {
    RowsDamaged() : std::runtime_error("damaged month snapshot") {}
};

class ReportRows {
  public:
    virtual ~ReportRows() = default;
    //! Decodes every row once, writing nothing: for writers whose bytes go out as they are
    //! made (JSON, CSV), so that no visit meets damage half-way. Errors: db (damaged).
    virtual Result<void> check() const { return {}; }
    virtual std::size_t device_count() const = 0;
    virtual std::size_t user_count() const = 0;
    //! Calls fn for each device row in report order; the row lives until fn returns. Throws
    //! RowsDamaged on a row it cannot decode (never after check() succeeded).
    virtual void each_device(const std::function<void(const DeviceReportRow&)>& fn) const = 0;
    virtual void each_user(const std::function<void(const billing::UserBilling&)>& fn) const = 0;
};

//! The rows of a report held in memory (the report must outlive it).
class InMemoryRows final : public ReportRows {
  public:
    explicit InMemoryRows(const UsageReport& report) : report_(report) {}
    std::size_t device_count() const override { return report_.devices.size(); }
    std::size_t user_count() const override { return report_.users.size(); }
    void each_device(const std::function<void(const DeviceReportRow&)>& fn) const override {
        for (const auto& row : report_.devices) {
            fn(row);
        }
    }
    void each_user(const std::function<void(const billing::UserBilling&)>& fn) const override {
        for (const auto& user : report_.users) {
            fn(user);
        }
    }

  private:
    const UsageReport& report_;
};

}  // namespace tally::server
