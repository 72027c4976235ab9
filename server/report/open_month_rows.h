#pragma once
// The rows of an open month's report as the billing engine left them (issue 20): each device's
// Device, billing and evidence kept side by side in vectors, and each DeviceReportRow made
// only when a writer visits it (one row at a time, its storage reused), so that writing the
// open month holds no vector of finished rows (the closed month's SnapshotRows does the same
// from the snapshot). usage_report.h builds it; build_usage_report_from_rollups turns it into
// a whole UsageReport (take_devices) for snapshots and tests: both give the same rows.

#include <cstdint>
#include <vector>

#include "server/report/report_rows.h"

namespace tally::server {

//! What the engine's answer (compact: billing_engine.h CompactOutcome) and the store's facts
//! give for the open month's rows. The device vectors are parallel (facts order); a device is
//! listed when it was paired before the month ended or has heartbeats in it.
struct OpenMonthParts {
    std::vector<BillingDevice> devices;
    //! Empty, or the devices whole (parallel to `devices`): the rows then carry them (a closed
    //! month's snapshot keeps whole devices).
    std::vector<Device> whole;
    billing::CompactOutcome outcome;  //!< its devices parallel to `devices`, its users in order
    std::vector<DeviceEvidence> evidence;
    std::vector<std::int64_t> inactive_beats;  //!< started while the tenant was inactive
    std::int64_t month_end = 0;
};

class OpenMonthRows final : public ReportRows {
  public:
    explicit OpenMonthRows(OpenMonthParts parts);
    std::size_t device_count() const override { return listed_; }
    std::size_t user_count() const override {
        return parts_.outcome.users.size() + taken_users_.size();
    }
    void each_device(const std::function<void(const DeviceReportRow&)>& fn) const override;
    void each_user(const std::function<void(const billing::UserBilling&)>& fn) const override;

    //! Every listed row, moved out (the rows are empty afterwards).
    std::vector<DeviceReportRow> take_devices();
    //! Every user row, made (each_user makes them one at a time); before or after
    //! take_devices.
    std::vector<billing::UserBilling> take_users();

  private:
    bool listed(std::size_t i) const;
    std::vector<billing::UserBilling> make_users();

    OpenMonthParts parts_;
    std::size_t listed_ = 0;
    std::vector<billing::UserBilling> taken_users_;  //!< made by take_devices for take_users
};

}  // namespace tally::server
