#pragma once
// Builds billing scenarios through the real ingest path: devices paired with real codes,
// heartbeats signed and uploaded with an explicit receipt time, then the report of a month
// judged at an explicit `now`.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "server/report/usage_report.h"
#include "server_fixture.h"

namespace tally::server::test {

//! UTC instant of a civil date and hour.
std::int64_t at(int year, unsigned month, unsigned day, int hour = 12, int minute = 0);
constexpr std::int64_t kDay = 86400;

class BillingScenario {
  public:
    BillingScenario();
    //! Pairs a new device named `name` (type business|personal, role workstation|server).
    TestDevice& device(const std::string& name, const std::string& type = "business",
                       const std::string& role = "workstation");
    //! One 5-minute heartbeat ending at `end`, received at `received` (default end + 60 s).
    void beat(const std::string& device, std::int64_t end, std::uint32_t device_minutes,
              std::vector<pairing::UserActivity> users = {}, std::int64_t received = 0);
    //! `count` heartbeats, one a day from `first_end` on, each with `minutes` for `principal`.
    void daily(const std::string& device, std::int64_t first_end, int count,
               const std::string& principal, std::uint32_t minutes);
    //! The month's report computed from the rollups at `now` (the rules; a closed month's
    //! snapshot is neither read nor made: scenarios edit data after the close to test them).
    UsageReport report(const std::string& month, std::int64_t now);
    //! The report as served (build_usage_report): a closed month's from its snapshot.
    UsageReport billed(const std::string& month, std::int64_t now);
    TenantSettings settings();
    void save(const TenantSettings& s);

    const DeviceReportRow& row(const UsageReport& r, const std::string& device) const;
    const billing::UserBilling* user(const UsageReport& r, const std::string& principal) const;
    std::int64_t units(const UsageReport& r, const std::string& package) const;
    std::string id(const std::string& device) const { return devices_.at(device).device_id; }

    ServerFixture f;

  private:
    std::map<std::string, TestDevice> devices_;
};

}  // namespace tally::server::test
