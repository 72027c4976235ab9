// Agent state machine: start states and every documented transition.

#include <catch2/catch.hpp>

#include "agent/state/agent_state.h"

using namespace tally::agent;

TEST_CASE("initial state from what is on disk", "[state]") {
    CHECK(initial_state(true, false, true) == AgentState::standalone);
    CHECK(initial_state(false, false, true) == AgentState::unpaired);
    CHECK(initial_state(false, true, true) == AgentState::paired);
    CHECK(initial_state(false, true, false) == AgentState::clone_detected);
}

TEST_CASE("documented transitions", "[state]") {
    AgentStateMachine m(AgentState::unpaired);
    CHECK_FALSE(m.may_upload());
    CHECK_FALSE(m.apply(StateEvent::upload_ok));
    CHECK(m.apply(StateEvent::identity_found));
    CHECK(m.state() == AgentState::paired);
    CHECK(m.may_upload());

    CHECK(m.apply(StateEvent::unauthorized));
    CHECK(m.state() == AgentState::auth_failed);
    CHECK(m.apply(StateEvent::upload_ok));
    CHECK(m.state() == AgentState::paired);

    CHECK(m.apply(StateEvent::tenant_inactive));
    CHECK(m.state() == AgentState::tenant_inactive);
    CHECK(m.may_upload());  // keeps trying at the cap: a tenant can be reactivated
    CHECK(m.apply(StateEvent::upload_ok));

    CHECK(m.apply(StateEvent::revoked));
    CHECK(m.state() == AgentState::revoked);
    CHECK_FALSE(m.may_upload());
    CHECK_FALSE(m.apply(StateEvent::upload_ok));  // final
    CHECK_FALSE(m.apply(StateEvent::identity_found));

    AgentStateMachine clone(AgentState::clone_detected);
    CHECK_FALSE(clone.apply(StateEvent::upload_ok));
    CHECK_FALSE(clone.may_upload());
    AgentStateMachine alone(AgentState::standalone);
    CHECK_FALSE(alone.apply(StateEvent::identity_found));
    CHECK_FALSE(alone.may_upload());
}

TEST_CASE("state names parse back", "[state]") {
    for (auto s :
         {AgentState::unpaired, AgentState::paired, AgentState::standalone, AgentState::auth_failed,
          AgentState::tenant_inactive, AgentState::revoked, AgentState::clone_detected}) {
        AgentState out = AgentState::paired;
        REQUIRE(parse_agent_state(to_string(s), out));
        CHECK(out == s);
    }
    AgentState out;
    CHECK_FALSE(parse_agent_state("sleeping", out));
}
