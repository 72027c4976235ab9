// The application use cases (server/application) that run on narrow store interfaces both
// backends implement, on SQLite ([sqlite]) and on PostgreSQL ([postgres]): the device
// lifecycle and corrections, tenant changes under the billing rules, groups and
// subscriptions. Those that need ingest stay in test_application.cpp (SQLite only).

#include <catch2/catch.hpp>

#include "server/application/device_admin.h"
#include "server/application/group_admin.h"
#include "server/application/tenant_admin.h"
#include "store_backends.h"

using namespace tally::server;
using namespace tally::server::test;
using application::DeviceAdmin;
using domain::DeviceState;

namespace {

//! A tenant "acme" with one device "dev-1" paired by a code.
template <class B>
void with_device(B& b) {
    REQUIRE(b.store->add_tenant("acme", kNow).ok());
    REQUIRE(b.store->add_tenant("globex", kNow).ok());
    REQUIRE(b.store->add_pairing_code({"acme", "code", 1, kNow + 60}, kNow).ok());
    PairAttempt a;
    a.code_hash = "code";
    a.public_key = std::string(1, '\x04') + std::string(64, '\x7f');
    a.facts = {"host", "linux", "12", "1.0.0", "business", "workstation", "fp"};
    a.new_device_id = "dev-1";
    a.now = kNow;
    REQUIRE(b.store->pair_device(a).ok());
}

DeviceState state_of(DeviceAdmin& admin, const std::string& id) {
    auto all = admin.list("acme");
    REQUIRE(all.ok());
    for (const auto& v : *all) {
        if (v.device.id == id) {
            return v.state;
        }
    }
    FAIL("device " << id << " not listed");
    return DeviceState::paired;
}

template <class B>
void lifecycle_body() {
    B b;
    with_device(b);
    DeviceAdmin admin(*b.store);
    CHECK(state_of(admin, "dev-1") == DeviceState::paired);
    CHECK(admin.find("dev-1", std::string("globex")).error().code == "not_found");
    auto device = admin.find("dev-1", std::string("acme"));
    REQUIRE(device.ok());
    CHECK(admin.set_type(*device, "Personal", kNow).error().code == "bad_request");
    REQUIRE(admin.set_type(*device, "personal", kNow).ok());
    auto key = admin.assign_user(*device, std::string("ACME\\Alice"), kNow);
    REQUIRE(key.ok());
    REQUIRE(key->has_value());
    auto all = admin.list("acme");
    REQUIRE(all.ok());
    REQUIRE(all->size() == 1);
    CHECK((*all)[0].assigned_user == **key);
    CHECK((*all)[0].device.facts.device_type == "personal");

    auto revoked = admin.revoke(*device, kNow);
    REQUIRE(revoked.ok());
    CHECK(revoked->to == DeviceState::revoked);
    CHECK(state_of(admin, "dev-1") == DeviceState::revoked);
    auto after = admin.find("dev-1", std::nullopt);
    REQUIRE(after.ok());
    auto retire = admin.retire(*after, "uninstall", kNow + 1);
    REQUIRE(retire.ok());
    CHECK_FALSE(retire->changes);
    auto again = admin.revoke(*after, kNow + 2);
    REQUIRE(again.ok());
    CHECK_FALSE(again->changes);
    CHECK(admin.find("dev-1", std::nullopt)->retired_at == kNow);
}
BACKEND_TEST("application: device lifecycle and corrections", lifecycle_body)

template <class B>
void tenant_change_body() {
    B b;
    application::TenantAdmin admin(*b.store);
    CHECK(admin.add("acme", {{"grace-hours", "-1"}}, kNow).error().code == "bad_request");
    auto t = admin.add("acme", {}, kNow);
    REQUIRE(t.ok());
    CHECK(admin.add("acme", {}, kNow).error().code == "exists");
    // kNow is 2026-11-15: October closed on 2026-11-04 (72 h after its end).
    auto closed = admin.change(*t, application::TenantChange::status, "inactive",
                               {{"at", "2026-10-20"}}, kNow);
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.error().message.find("closed") != std::string::npos);
    CHECK(b.store->tenant_settings("acme")->status == "active");
    auto open = admin.change(*t, application::TenantChange::status, "inactive",
                             {{"at", "2026-11-02"}}, kNow);
    REQUIRE(open.ok());
    auto stored = b.store->tenant_settings("acme");
    REQUIRE(stored.ok());
    CHECK(stored->status == "inactive");
    REQUIRE(stored->inactive_since);
    auto back =
        admin.change(*stored, application::TenantChange::status, "active", {}, kNow + 86400);
    REQUIRE(back.ok());
    auto reactivated = b.store->tenant_settings("acme");
    REQUIRE(reactivated.ok());
    CHECK(reactivated->status == "active");
    CHECK(reactivated->inactive_spans.size() == 1);
    auto grace = admin.change(*reactivated, application::TenantChange::policy, "",
                              {{"grace-hours", "400"}, {"time-zone", "Europe/Berlin"}}, kNow);
    REQUIRE(grace.ok());
    CHECK(b.store->tenant_settings("acme")->grace_hours == 400);
    CHECK(b.store->tenant_settings("acme")->time_zone == "Europe/Berlin");
}
BACKEND_TEST("application: tenant changes under the billing rules", tenant_change_body)

template <class B>
void groups_body() {
    B b;
    REQUIRE(b.store->add_tenant("acme", kNow).ok());
    application::GroupAdmin groups(*b.store);
    CHECK(groups.add_group("acme", "", kNow).error().code == "bad_request");
    REQUIRE(groups.add_group("acme", "eng", kNow).ok());
    CHECK(groups.add_group("acme", "eng", kNow).error().code == "exists");
    auto key = groups.add_member("acme", "eng", "ACME\\Bob", kNow);
    REQUIRE(key.ok());
    CHECK(groups.attach("acme", "eng", "", kNow).error().code == "bad_request");
    CHECK(groups.attach("acme", "ops", "Core", kNow).error().code == "not_found");
    REQUIRE(groups.attach("acme", "eng", "Core+", kNow).ok());
    auto subs = groups.list_subscriptions("acme");
    REQUIRE(subs.ok());
    REQUIRE(subs->size() == 1);
    CHECK((*subs)[0].package == "Core+");
    auto listed = groups.list_groups("acme");
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    CHECK((*listed)[0].members == std::vector<std::string>{*key});
    CHECK((*listed)[0].package == "Core+");
}
BACKEND_TEST("application: groups and subscriptions", groups_body)

}  // namespace
