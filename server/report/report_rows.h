#pragma once
// The device and user rows of a usage report as the writers visit them, in order: the
// report's own vectors (InMemoryRows), or a closed month's snapshot decoded one row at a time
// (month_snapshot_codec.h SnapshotRows), so that writing a frozen report takes memory that
// does not grow with its rows.

#include <cstddef>
#include <functional>

#include "server/report/usage_report.h"

namespace tally::server {

class ReportRows {
  public:
    virtual ~ReportRows() = default;
    virtual std::size_t device_count() const = 0;
    virtual std::size_t user_count() const = 0;
    //! Calls fn for each device row in report order; the row lives until fn returns.
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
