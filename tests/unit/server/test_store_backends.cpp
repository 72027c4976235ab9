// The narrow store interfaces that both backends implement, tested the same way on SQLite
// ([sqlite]) and PostgreSQL ([postgres]): tenants, admin tokens, groups, pairing, and a
// pairing code's uses under 50 concurrent pairings through two stores (two servers) at once.

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "store_backends.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

std::string test_key(char tag) {
    // 65 bytes like an uncompressed P-256 point, with a NUL and high bytes (bytea round trip).
    std::string key(65, '\0');
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = static_cast<char>((i * 37 + static_cast<unsigned char>(tag)) & 0xff);
    }
    key[0] = 0x04;
    key[10] = '\0';
    return key;
}

PairAttempt attempt(const std::string& code_hash, char tag, std::string device_id) {
    PairAttempt a;
    a.code_hash = code_hash;
    a.public_key = test_key(tag);
    a.facts.hostname = "host-" + std::string(1, tag);
    a.facts.os = "linux";
    a.facts.os_version = "12";
    a.facts.agent_version = "1.0.0";
    a.facts.device_type = "physical";
    a.facts.role = "workstation";
    a.facts.fingerprint = "fp";
    a.new_device_id = std::move(device_id);
    a.now = kNow;
    return a;
}

template <class B>
void tenants_body() {
    B b;
    TenantStore& s = *b.store;
    REQUIRE(s.add_tenant("zeta", kNow).ok());
    REQUIRE(s.add_tenant("acme", kNow + 1).ok());
    CHECK(s.add_tenant("acme", kNow).error().code == "exists");
    auto all = s.list_tenants();
    REQUIRE(all.ok());
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].name == "acme");
    CHECK((*all)[0].created_at == kNow + 1);
    REQUIRE(s.set_tenant_status("acme", "inactive").ok());
    CHECK(s.set_tenant_status("nobody", "inactive").error().code == "not_found");
    auto found = s.find_tenant("acme");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->status == "inactive");
    CHECK_FALSE(s.find_tenant("nobody")->has_value());

    auto settings = s.tenant_settings("acme");
    REQUIRE(settings.ok());
    CHECK(settings->time_zone == "UTC");
    CHECK(settings->grace_hours == 72);
    settings->trial_end = kNow + 86400;
    settings->inactive_since = kNow;
    settings->default_package = "Plus";
    settings->count_devices_by = "signal";
    settings->inactive_spans = {{kNow - 500, kNow - 400}, {kNow - 300, kNow - 200}};
    REQUIRE(s.update_tenant_settings(*settings).ok());
    auto again = s.tenant_settings("acme");
    REQUIRE(again.ok());
    CHECK(again->trial_end == kNow + 86400);
    CHECK(again->inactive_since == kNow);
    CHECK(again->default_package == "Plus");
    CHECK(again->count_devices_by == "signal");
    REQUIRE(again->inactive_spans.size() == 2);
    CHECK(again->inactive_spans[1].since == kNow - 300);
    CHECK(s.tenant_settings("nobody").error().code == "not_found");
    TenantSettings unknown;
    unknown.name = "nobody";
    CHECK(s.update_tenant_settings(unknown).error().code == "not_found");
}
BACKEND_TEST("tenants: add, list, status and policy", tenants_body)

template <class B>
void tokens_body() {
    B b;
    REQUIRE(b.store->add_tenant("acme", kNow).ok());
    AdminTokenStore& s = *b.store;
    const std::string global(64, 'a');
    const std::string scoped = "0123456789ab" + std::string(52, 'c');
    REQUIRE(s.create_admin_token({global, std::nullopt, "ops", kNow + 3600}, kNow).ok());
    REQUIRE(s.create_admin_token({scoped, "acme", "acme-admin", std::nullopt}, kNow + 1).ok());
    CHECK(s.create_admin_token({std::string(64, 'd'), "nobody", "", std::nullopt}, kNow)
              .error()
              .code == "not_found");
    auto g = s.find_admin_token(global);
    REQUIRE(g.ok());
    REQUIRE(g->has_value());
    CHECK_FALSE((*g)->tenant.has_value());
    CHECK((*g)->expires_at == kNow + 3600);
    auto t = s.find_admin_token(scoped);
    REQUIRE(t->has_value());
    CHECK((*t)->tenant == "acme");
    CHECK_FALSE(s.find_admin_token(std::string(64, 'e'))->has_value());

    auto list = s.list_admin_tokens();
    REQUIRE(list.ok());
    REQUIRE(list->size() == 2);
    CHECK((*list)[1].id == "0123456789ab");
    CHECK((*list)[1].name == "acme-admin");
    CHECK((*list)[1].tenant == "acme");

    CHECK(s.revoke_admin_token("xyz", kNow).error().code == "not_found");
    CHECK(s.revoke_admin_token("ffffffffffff", kNow).error().code == "not_found");
    REQUIRE(s.revoke_admin_token("0123456789ab", kNow + 10).ok());
    REQUIRE(s.revoke_admin_token("0123456789ab", kNow + 20).ok());
    CHECK((*s.find_admin_token(scoped))->revoked_at == kNow + 10);
}
BACKEND_TEST("admin tokens: create, find, list, revoke once", tokens_body)

template <class B>
void groups_body() {
    B b;
    REQUIRE(b.store->add_tenant("acme", kNow).ok());
    GroupStore& s = *b.store;
    REQUIRE(s.add_group("acme", "sales", kNow).ok());
    REQUIRE(s.add_group("acme", "empty", kNow).ok());
    CHECK(s.add_group("acme", "sales", kNow).error().code == "exists");
    CHECK(s.add_group("nobody", "sales", kNow).error().code == "not_found");
    REQUIRE(s.move_user_to_group("acme", "sales", "u:bob", kNow).ok());
    REQUIRE(s.move_user_to_group("acme", "sales", "u:alice", kNow).ok());
    REQUIRE(s.move_user_to_group("acme", "empty", "u:carol", kNow).ok());
    REQUIRE(s.move_user_to_group("acme", "sales", "u:carol", kNow + 5).ok());
    CHECK(s.move_user_to_group("acme", "nope", "u:bob", kNow).error().code == "not_found");
    REQUIRE(s.attach_subscription("acme", "sales", "Core", kNow).ok());
    REQUIRE(s.attach_subscription("acme", "sales", "Plus", kNow + 1).ok());
    auto groups = s.list_groups("acme");
    REQUIRE(groups.ok());
    REQUIRE(groups->size() == 2);
    CHECK((*groups)[0].name == "empty");
    CHECK((*groups)[0].members.empty());
    CHECK_FALSE((*groups)[0].package.has_value());
    CHECK((*groups)[1].package == "Plus");
    CHECK((*groups)[1].members == std::vector<std::string>{"u:alice", "u:bob", "u:carol"});
    auto subs = s.list_subscriptions("acme");
    REQUIRE(subs.ok());
    REQUIRE(subs->size() == 2);
    CHECK((*subs)[0].package == "Core");

    REQUIRE(s.merge_users("acme", "u:bobby", "u:bob", kNow).ok());
    CHECK(s.merge_users("acme", "u:bob", "u:bobby", kNow).error().code == "bad_request");
    CHECK(s.merge_users("acme", "u:bob", "u:bob", kNow).error().code == "bad_request");
    CHECK(s.merge_users("nobody", "u:x", "u:y", kNow).error().code == "not_found");
}
BACKEND_TEST("groups: members, subscriptions, merges", groups_body)

template <class B>
void pairing_body() {
    B b;
    auto& s = *b.store;
    REQUIRE(s.add_tenant("acme", kNow).ok());
    CHECK(s.add_pairing_code({"nobody", "h0", 1, kNow + 60}, kNow).error().code == "not_found");
    REQUIRE(s.add_pairing_code({"acme", "h1", 1, kNow + 60}, kNow).ok());
    REQUIRE(s.add_pairing_code({"acme", "h2", 5, kNow - 1}, kNow).ok());

    auto a = attempt("h1", 'a', "dev-a");
    a.enrollment = "import_tofu";
    auto paired = s.pair_device(a);
    REQUIRE(paired.ok());
    CHECK(paired->id == "dev-a");
    CHECK(paired->tenant == "acme");
    CHECK(paired->public_key == test_key('a'));
    CHECK(paired->facts.hostname == "host-a");
    CHECK(paired->paired_at == kNow);
    CHECK_FALSE(paired->retired_at.has_value());
    // The same key again: the same device, no use consumed (the code had one).
    auto again = s.pair_device(attempt("h1", 'a', "dev-other"));
    REQUIRE(again.ok());
    CHECK(again->id == "dev-a");
    CHECK(s.pair_device(attempt("h1", 'b', "dev-b")).error().code == "code_exhausted");
    CHECK(s.pair_device(attempt("h2", 'c', "dev-c")).error().code == "code_expired");
    CHECK(s.pair_device(attempt("zz", 'c', "dev-c")).error().code == "invalid_code");
    REQUIRE(s.add_pairing_code({"acme", "h3", 5, kNow + 60}, kNow).ok());
    REQUIRE(s.set_tenant_status("acme", "inactive").ok());
    CHECK(s.pair_device(attempt("h3", 'd', "dev-d")).error().code == "tenant_inactive");
    auto found = s.find_device("dev-a");
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->public_key == test_key('a'));
}
BACKEND_TEST("pairing: uses, retries, expiry, inactive tenant", pairing_body)

template <class B>
void devices_body() {
    B b;
    auto& s = *b.store;
    REQUIRE(s.add_tenant("acme", kNow).ok());
    REQUIRE(s.add_tenant("beta", kNow).ok());
    REQUIRE(s.add_pairing_code({"acme", "h1", 5, kNow + 60}, kNow).ok());
    REQUIRE(s.add_pairing_code({"beta", "h2", 5, kNow + 60}, kNow).ok());
    auto tofu = attempt("h1", 'b', "dev-b");
    tofu.enrollment = "import_tofu";
    REQUIRE(s.pair_device(attempt("h1", 'a', "dev-a")).ok());
    REQUIRE(s.pair_device(tofu).ok());
    REQUIRE(s.pair_device(attempt("h2", 'c', "dev-c")).ok());
    DeviceStore& d = s;
    auto list = d.list_devices("acme");
    REQUIRE(list.ok());
    REQUIRE(list->size() == 2);
    CHECK((*list)[0].id == "dev-a");
    CHECK((*list)[1].public_key == test_key('b'));
    CHECK(d.list_devices("nobody")->empty());
    CHECK_FALSE(d.find_device("nope")->has_value());

    REQUIRE(d.retire_device("dev-a", "revoked", kNow + 10).ok());
    REQUIRE(d.retire_device("dev-a", "retired", kNow + 20).ok());
    auto retired = d.find_device("dev-a");
    REQUIRE(retired->has_value());
    CHECK((*retired)->retired_at == kNow + 10);
    auto ev = d.device_evidence("dev-a");
    REQUIRE(ev.ok());
    CHECK(ev->revoked);
    CHECK_FALSE(ev->trust_on_first_use);
    CHECK(ev->gap_seqs == 0);
    CHECK(d.device_evidence("dev-b")->trust_on_first_use);

    REQUIRE(d.assign_device_user("dev-a", std::string("u:ann"), kNow).ok());
    REQUIRE(d.assign_device_user("dev-b", std::string("u:bob"), kNow).ok());
    REQUIRE(d.assign_device_user("dev-b", std::nullopt, kNow + 1).ok());
    REQUIRE(d.assign_device_user("dev-c", std::string("u:cy"), kNow).ok());
    CHECK(d.assign_device_user("nope", std::string("u:x"), kNow).error().code == "not_found");
    auto assigned = d.device_assignments("acme");
    REQUIRE(assigned.ok());
    REQUIRE(assigned->size() == 1);
    CHECK((*assigned)[0].device_id == "dev-a");
    CHECK((*assigned)[0].user_key == "u:ann");

    REQUIRE(d.set_device_type("dev-a", "virtual", kNow).ok());
    REQUIRE(d.set_device_type("dev-a", "virtual", kNow + 1).ok());
    CHECK((*d.find_device("dev-a"))->facts.device_type == "virtual");
    CHECK(d.set_device_type("nope", "virtual", kNow).error().code == "not_found");
}
BACKEND_TEST("devices: list, retire once, evidence, assignments, type", devices_body)

// 50 agents pair at once with one code of 7 uses, half through each of two stores (two
// servers over one database): exactly 7 devices, every other answer code_exhausted.
template <class B>
void concurrent_pairing_body() {
    B b;
    REQUIRE(b.store->add_tenant("acme", kNow).ok());
    REQUIRE(b.store->add_pairing_code({"acme", "shared", 7, kNow + 60}, kNow).ok());
    auto other = b.second();
    constexpr int kAgents = 50;
    std::atomic<int> paired{0};
    std::atomic<int> exhausted{0};
    std::atomic<int> other_errors{0};
    std::vector<std::thread> agents;
    for (int i = 0; i < kAgents; ++i) {
        agents.emplace_back([&, i] {
            PairingStore& server = i % 2 == 0 ? static_cast<PairingStore&>(*b.store)
                                              : static_cast<PairingStore&>(*other);
            auto a = attempt("shared", static_cast<char>('A' + i), "dev-" + std::to_string(i));
            auto r = server.pair_device(a);
            if (r) {
                ++paired;
            } else if (r.error().code == "code_exhausted") {
                ++exhausted;
            } else {
                ++other_errors;
                UNSCOPED_INFO(r.error().code + ": " + r.error().message);
            }
        });
    }
    for (auto& t : agents) {
        t.join();
    }
    CHECK(other_errors == 0);
    CHECK(paired == 7);
    CHECK(exhausted == kAgents - 7);
}
BACKEND_TEST("a pairing code's uses hold under 50 concurrent pairings on two stores",
             concurrent_pairing_body)

}  // namespace
