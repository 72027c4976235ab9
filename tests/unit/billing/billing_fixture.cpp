// Billing scenario fixture (see billing_fixture.h).

#include "billing_fixture.h"

#include <catch2/catch.hpp>

#include "pairing/time_format.h"
#include "server/report/usage_json.h"

namespace tally::server::test {

std::int64_t at(int year, unsigned month, unsigned day, int hour, int minute) {
    return pairing::days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60;
}

BillingScenario::BillingScenario() {
    f.code = f.make_code("acme", 100);
}

TestDevice& BillingScenario::device(const std::string& name, const std::string& type,
                                    const std::string& role) {
    auto& dev = devices_[name];
    f.pair(dev, role);
    if (type != "business") {
        // Dated at 0: the device has this type in every month a scenario bills.
        REQUIRE(f.store->set_device_type(dev.device_id, type, 0).ok());
    }
    return dev;
}

void BillingScenario::beat(const std::string& device, std::int64_t end,
                           std::uint32_t device_minutes, std::vector<pairing::UserActivity> users,
                           std::int64_t received) {
    auto& dev = devices_.at(device);
    const auto hb = dev.next_heartbeat(end, device_minutes, std::move(users));
    auto r = f.upload(dev, dev.batch({hb}), received ? received : end + 60);
    INFO(device << " heartbeat ending " << pairing::format_rfc3339(end) << ": "
                << (r.ok() ? std::string("ok") : r.error().message));
    REQUIRE(r.ok());
    REQUIRE(r->ack.accepted == 1);
}

void BillingScenario::daily(const std::string& device, std::int64_t first_end, int count,
                            const std::string& principal, std::uint32_t minutes) {
    for (int i = 0; i < count; ++i) {
        beat(device, first_end + i * kDay, minutes, {test::user(principal, minutes)});
    }
}

UsageReport BillingScenario::report(const std::string& month, std::int64_t now) {
    auto r = build_usage_report_from_rollups(*f.store, "acme", month, now);
    REQUIRE(r.ok());
    // Every scenario also checks that the whole-month facts give the hourly buckets' answer.
    auto hourly = build_usage_report_from_rollups(*f.store, "acme", month, now, FactGrain::kHourly);
    REQUIRE(hourly.ok());
    REQUIRE(usage_to_json(*r) == usage_to_json(*hourly));
    return std::move(*r);
}

UsageReport BillingScenario::billed(const std::string& month, std::int64_t now) {
    auto r = build_usage_report(*f.store, "acme", month, now);
    REQUIRE(r.ok());
    return std::move(*r);
}

TenantSettings BillingScenario::settings() {
    auto s = f.store->tenant_settings("acme");
    REQUIRE(s.ok());
    return *s;
}

void BillingScenario::save(const TenantSettings& s) {
    REQUIRE(f.store->update_tenant_settings(s).ok());
}

const DeviceReportRow& BillingScenario::row(const UsageReport& r, const std::string& device) const {
    for (const auto& row : r.devices) {
        if (row.usage.device.id == id(device)) {
            return row;
        }
    }
    FAIL("device " << device << " not in the report");
    throw std::logic_error("unreachable");
}

const billing::UserBilling* BillingScenario::user(const UsageReport& r,
                                                  const std::string& principal) const {
    for (const auto& u : r.users) {
        if (u.principal == principal) {
            return &u;
        }
    }
    return nullptr;
}

std::int64_t BillingScenario::units(const UsageReport& r, const std::string& package) const {
    for (const auto& p : r.summary.packages) {
        if (p.package == package) {
            return p.billable_units;
        }
    }
    return 0;
}

}  // namespace tally::server::test
