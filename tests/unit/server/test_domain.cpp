// server/domain: the one error table, the value types' parse/print, and the device
// lifecycle — every allowed and every refused transition.

#include <catch2/catch.hpp>

#include "server/domain/device_lifecycle.h"
#include "server/domain/device_type.h"
#include "server/domain/error_code.h"
#include "server/domain/tenant_state.h"
#include "server/http/error_response.h"

using namespace tally::server;
using namespace tally::server::domain;

TEST_CASE("the error table maps each wire code to one HTTP status and one exit status",
          "[domain]") {
    struct Row {
        const char* wire;
        int http;
        int exit;
    };
    // The wire strings and statuses of PROTOCOL.md §7 and DESIGN.md, unchanged.
    const Row rows[] = {
        {"bad_request", 400, 1},    {"bad_gzip", 400, 1},       {"bad_signature", 401, 1},
        {"unknown_device", 401, 1}, {"unauthorized", 401, 1},   {"invalid_code", 403, 1},
        {"code_expired", 403, 1},   {"code_exhausted", 403, 1}, {"tenant_inactive", 403, 1},
        {"forbidden", 403, 1},      {"not_found", 404, 1},      {"method_not_allowed", 405, 1},
        {"device_retired", 410, 1}, {"device_revoked", 410, 1}, {"payload_too_large", 413, 1},
        {"out_of_window", 422, 1},  {"rate_limited", 429, 1},   {"header_too_large", 431, 1},
        {"usage", 400, 64},         {"unavailable", 503, 1},    {"internal", 500, 1},
    };
    for (const auto& r : rows) {
        INFO(r.wire);
        const auto code = code_of(r.wire);
        CHECK(to_string(code) == r.wire);
        CHECK(http_status(code) == r.http);
        CHECK(http_status_for(r.wire) == r.http);
        CHECK(exit_status(code) == r.exit);
        CHECK(make_error(code, "m").code == r.wire);
    }
    // Store and I/O codes are internal: 500 on the wire, exit 1.
    for (const char* internal : {"db", "io", "", "BAD_REQUEST"}) {
        CHECK(code_of(internal) == ErrorCode::internal);
        CHECK(http_status_for(internal) == 500);
    }
    // The database unreachable (PostgreSQL down, retries spent): 503, the agent retries.
    for (const char* gone : {"db_unavailable", "db_retry"}) {
        CHECK(code_of(gone) == ErrorCode::unavailable);
        CHECK(http_status_for(gone) == 503);
    }
}

TEST_CASE("device type, role and tenant status have one parse and one print", "[domain]") {
    for (const auto t : {DeviceType::business, DeviceType::personal}) {
        CHECK(parse_device_type(to_string(t)) == t);
    }
    CHECK(!parse_device_type("Business"));
    CHECK(!parse_device_type(""));
    for (const auto r : {DeviceRole::workstation, DeviceRole::server, DeviceRole::kiosk}) {
        CHECK(parse_device_role(to_string(r)) == r);
    }
    CHECK(!parse_device_role("laptop"));
    for (const auto s : {TenantStatus::in_trial, TenantStatus::active, TenantStatus::inactive}) {
        CHECK(parse_tenant_status(to_string(s)) == s);
    }
    CHECK(!parse_tenant_status("trial"));
}

TEST_CASE("only a tenant that is not inactive pairs new devices", "[domain]") {
    CHECK(accepts_new_devices("active"));
    CHECK(accepts_new_devices("in_trial"));
    CHECK_FALSE(accepts_new_devices("inactive"));
    CHECK_FALSE(accepts_new_devices("Active"));  // a status that does not parse refuses
    CHECK_FALSE(accepts_new_devices(""));
}

TEST_CASE("device states have one parse and one print", "[domain]") {
    for (const auto s : {DeviceState::paired, DeviceState::suspected_clone, DeviceState::retired,
                         DeviceState::revoked}) {
        CHECK(parse_device_state(to_string(s)) == s);
    }
    CHECK(!parse_device_state("active"));
}

TEST_CASE("a device's state follows its record", "[domain][lifecycle]") {
    Device d;
    CHECK(state_of(d, false) == DeviceState::paired);
    d.suspected_clone = true;
    CHECK(state_of(d, false) == DeviceState::suspected_clone);
    d.retired_at = 100;
    CHECK(state_of(d, false) == DeviceState::retired);
    CHECK(state_of(d, true) == DeviceState::revoked);
    d.suspected_clone = false;
    CHECK(state_of(d, false) == DeviceState::retired);  // never "paired" once retired
}

TEST_CASE("every allowed device transition", "[domain][lifecycle]") {
    using S = DeviceState;
    using E = DeviceEvent;
    struct Row {
        S from;
        E event;
        S to;
        bool changes;
    };
    const Row rows[] = {
        {S::paired, E::upload, S::paired, false},
        {S::paired, E::flag_clone, S::suspected_clone, true},
        {S::paired, E::retire, S::retired, true},
        {S::paired, E::revoke, S::revoked, true},
        {S::suspected_clone, E::upload, S::suspected_clone, false},
        {S::suspected_clone, E::flag_clone, S::suspected_clone, false},
        {S::suspected_clone, E::retire, S::retired, true},
        {S::suspected_clone, E::revoke, S::revoked, true},
        {S::retired, E::retire, S::retired, false},  // idempotent: the first end is kept
        {S::revoked, E::retire, S::revoked, false},  // an agent uninstalling after a revoke
        {S::revoked, E::revoke, S::revoked, false},
    };
    for (const auto& r : rows) {
        INFO(to_string(r.from) << " + " << to_string(r.event));
        auto t = transition(r.from, r.event, "d1");
        REQUIRE(t.ok());
        CHECK(t->to == r.to);
        CHECK(t->changes == r.changes);
    }
}

TEST_CASE("every refused device transition", "[domain][lifecycle]") {
    using S = DeviceState;
    using E = DeviceEvent;
    struct Row {
        S from;
        E event;
        const char* code;
    };
    const Row rows[] = {
        {S::retired, E::upload, "device_retired"},
        {S::retired, E::flag_clone, "device_retired"},
        {S::retired, E::revoke, "device_retired"},
        {S::revoked, E::upload, "device_revoked"},
        {S::revoked, E::flag_clone, "device_revoked"},
    };
    for (const auto& r : rows) {
        INFO(to_string(r.from) << " + " << to_string(r.event));
        auto t = transition(r.from, r.event, "d1");
        REQUIRE(!t.ok());
        CHECK(t.error().code == r.code);
        CHECK(t.error().message.find("d1") != std::string::npos);
        CHECK(http_status_for(t.error().code) == 410);
    }
}

TEST_CASE("a fork flags a live device and leaves an ended one as it ended", "[domain][lifecycle]") {
    using S = DeviceState;
    const std::pair<S, Transition> rows[] = {
        {S::paired, {S::suspected_clone, true}},
        {S::suspected_clone, {S::suspected_clone, false}},  // flagged once, not rewritten
        {S::retired, {S::retired, false}},                  // refused flag_clone: end stands
        {S::revoked, {S::revoked, false}},
    };
    for (const auto& [from, expected] : rows) {
        INFO(to_string(from));
        const auto t = after_fork(from, "d1");
        CHECK(t.to == expected.to);
        CHECK(t.changes == expected.changes);
    }
}
