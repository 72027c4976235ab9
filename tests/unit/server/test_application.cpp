// server/application: the use cases the admin API, the CLI and the web page share, on a real
// store — device changes through the lifecycle, tenant changes under the billing rules.

#include <catch2/catch.hpp>

#include "server/application/device_admin.h"
#include "server/application/group_admin.h"
#include "server/application/tenant_admin.h"
#include "server/application/user_admin.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;
using application::DeviceAdmin;
using domain::DeviceState;

namespace {

//! The one device of the tenant's list with `id`.
application::DeviceView listed(DeviceAdmin& admin, const std::string& id) {
    auto all = admin.list("acme");
    REQUIRE(all.ok());
    for (const auto& v : *all) {
        if (v.device.id == id) {
            return v;
        }
    }
    FAIL("device " << id << " not listed");
    return {};
}

}  // namespace

TEST_CASE("a retired device is listed as retired, never as paired", "[application][lifecycle]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    DeviceAdmin admin(*f.store);
    CHECK(listed(admin, dev.device_id).state == DeviceState::paired);

    auto device = admin.find(dev.device_id, std::string("acme"));
    REQUIRE(device.ok());
    auto retired = admin.retire(*device, "uninstall", kNow);
    REQUIRE(retired.ok());
    CHECK(retired->changes);
    CHECK(listed(admin, dev.device_id).state == DeviceState::retired);

    // Retiring again keeps the first retirement; revoking a retired device is refused.
    auto again = admin.find(dev.device_id, std::nullopt);
    REQUIRE(again.ok());
    auto second = admin.retire(*again, "uninstall", kNow + 60);
    REQUIRE(second.ok());
    CHECK(!second->changes);
    REQUIRE(again->retired_at);
    auto stored = admin.find(dev.device_id, std::nullopt);
    REQUIRE(stored.ok());
    CHECK(stored->retired_at == again->retired_at);
    auto revoke = admin.revoke(*again, kNow + 60);
    REQUIRE(!revoke.ok());
    CHECK(revoke.error().code == "device_retired");

    // The lifecycle refuses its uploads: 410 device_retired.
    auto up = f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 60)}));
    REQUIRE(!up.ok());
    CHECK(up.error().code == "device_retired");
}

TEST_CASE("a revoked device is listed as revoked and its uploads get device_revoked",
          "[application][lifecycle]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    DeviceAdmin admin(*f.store);
    auto device = admin.find(dev.device_id, std::nullopt);
    REQUIRE(device.ok());
    auto revoked = admin.revoke(*device, kNow);
    REQUIRE(revoked.ok());
    CHECK(revoked->to == DeviceState::revoked);
    CHECK(listed(admin, dev.device_id).state == DeviceState::revoked);
    auto after = admin.find(dev.device_id, std::nullopt);
    REQUIRE(after.ok());
    auto retire = admin.retire(*after, "uninstall", kNow + 1);  // the agent uninstalls later
    REQUIRE(retire.ok());
    CHECK(!retire->changes);
    CHECK(listed(admin, dev.device_id).state == DeviceState::revoked);
    auto up = f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 60)}));
    REQUIRE(!up.ok());
    CHECK(up.error().code == "device_revoked");
}

TEST_CASE("device edits: another tenant's device is not found, types are parsed", "[application]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    DeviceAdmin admin(*f.store);
    auto other = admin.find(dev.device_id, std::string("globex"));
    REQUIRE(!other.ok());
    CHECK(other.error().code == "not_found");
    auto missing = admin.find("d_nope", std::nullopt);
    REQUIRE(!missing.ok());
    CHECK(missing.error().code == "not_found");

    auto device = admin.find(dev.device_id, std::nullopt);
    REQUIRE(device.ok());
    auto bad = admin.set_type(*device, "Personal", kNow);
    REQUIRE(!bad.ok());
    CHECK(bad.error().code == "bad_request");
    REQUIRE(admin.set_type(*device, "personal", kNow).ok());
    auto key = admin.assign_user(*device, std::string("ACME\\Alice"), kNow);
    REQUIRE(key.ok());
    REQUIRE(key->has_value());
    CHECK(listed(admin, dev.device_id).assigned_user == **key);
}

TEST_CASE("a status change dated in a closed month is refused", "[application][tenant]") {
    ServerFixture f;
    application::TenantAdmin admin(*f.store);
    auto t = f.store->tenant_settings("acme");
    REQUIRE(t.ok());
    REQUIRE(t->grace_hours == 72);
    // kNow is 2026-11-15: October closed on 2026-11-04 (72 h after its end).
    auto closed = admin.change(*t, application::TenantChange::status, "inactive",
                               {{"at", "2026-10-20"}}, kNow);
    REQUIRE(!closed.ok());
    CHECK(closed.error().code == "bad_request");
    CHECK(closed.error().message.find("2026-10") != std::string::npos);
    CHECK(closed.error().message.find("closed") != std::string::npos);
    auto unchanged = f.store->tenant_settings("acme");
    REQUIRE(unchanged.ok());
    CHECK(unchanged->status == "active");
    CHECK(!unchanged->inactive_since);

    // The same change dated in the open month is applied and stored.
    auto open = admin.change(*t, application::TenantChange::status, "inactive",
                             {{"at", "2026-11-02"}}, kNow);
    REQUIRE(open.ok());
    auto stored = f.store->tenant_settings("acme");
    REQUIRE(stored.ok());
    CHECK(stored->status == "inactive");
    REQUIRE(stored->inactive_since);

    // A reactivation dated in the closed month would cut a span out of it: refused too.
    auto back = admin.change(*stored, application::TenantChange::status, "active",
                             {{"at", "2026-10-31"}}, kNow);
    REQUIRE(!back.ok());
    CHECK(back.error().message.find("closed") != std::string::npos);
}

TEST_CASE("a month is open until its grace hours have passed", "[application][tenant]") {
    ServerFixture f;
    application::TenantAdmin admin(*f.store);
    auto t = f.store->tenant_settings("acme");
    REQUIRE(t.ok());
    // With 400 grace hours October (ended 2026-11-01) closes on 2026-11-17, after kNow.
    auto grace =
        admin.change(*t, application::TenantChange::policy, "", {{"grace-hours", "400"}}, kNow);
    REQUIRE(grace.ok());
    auto dated = admin.change(*grace, application::TenantChange::status, "inactive",
                              {{"at", "2026-10-20"}}, kNow);
    REQUIRE(dated.ok());
    CHECK(dated->inactive_since);
}

TEST_CASE("group, subscription and user use cases", "[application]") {
    ServerFixture f;
    application::GroupAdmin groups(*f.store);
    CHECK(groups.add_group("acme", "", kNow).error().code == "bad_request");
    CHECK(groups.add_group("acme", std::string(65, 'g'), kNow).error().code == "bad_request");
    REQUIRE(groups.add_group("acme", "eng", kNow).ok());
    CHECK(groups.add_group("acme", "eng", kNow).error().code == "exists");
    auto key = groups.add_member("acme", "eng", "ACME\\Bob", kNow);
    REQUIRE(key.ok());
    CHECK(groups.attach("acme", "eng", "", kNow).error().code == "bad_request");
    REQUIRE(groups.attach("acme", "eng", "Core+", kNow).ok());
    auto subs = groups.list_subscriptions("acme");
    REQUIRE(subs.ok());
    REQUIRE(subs->size() == 1);
    CHECK((*subs)[0].package == "Core+");
    auto listed_groups = groups.list_groups("acme");
    REQUIRE(listed_groups.ok());
    REQUIRE(listed_groups->size() == 1);
    CHECK((*listed_groups)[0].members == std::vector<std::string>{*key});

    TestDevice dev;
    f.pair(dev);
    REQUIRE(f.upload(dev, dev.batch({dev.next_heartbeat(kNow - 60, 5, {user("ACME\\carol", 5)})}))
                .ok());
    application::UserAdmin users(*f.store, *f.store);
    auto merged = users.merge("acme", "ACME\\carol", "ACME\\Bob", kNow);
    REQUIRE(merged.ok());
    auto seen = users.list("acme", kNow);
    REQUIRE(seen.ok());
    REQUIRE(seen->size() == 1);
    CHECK((*seen)[0].status == application::UserStatus::active);
    REQUIRE((*seen)[0].merged_into);
    CHECK(*(*seen)[0].merged_into == merged->second);
    auto later = users.list("acme", kNow + 31 * 86400);
    REQUIRE(later.ok());
    CHECK((*later)[0].status == application::UserStatus::released);
}
