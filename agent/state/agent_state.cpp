// The agent state machine (see agent_state.h for the transitions).

#include "agent/state/agent_state.h"

#include "agent/log.h"

namespace tally::agent {

const char* to_string(AgentState s) {
    switch (s) {
        case AgentState::unpaired:
            return "unpaired";
        case AgentState::paired:
            return "paired";
        case AgentState::standalone:
            return "standalone";
        case AgentState::auth_failed:
            return "auth_failed";
        case AgentState::tenant_inactive:
            return "tenant_inactive";
        case AgentState::revoked:
            return "revoked";
        case AgentState::clone_detected:
            return "clone_detected";
        case AgentState::retired:
            return "retired";
    }
    return "unpaired";
}

bool parse_agent_state(const std::string& text, AgentState& out) {
    for (auto s : {AgentState::unpaired, AgentState::paired, AgentState::standalone,
                   AgentState::auth_failed, AgentState::tenant_inactive, AgentState::revoked,
                   AgentState::clone_detected, AgentState::retired}) {
        if (text == to_string(s)) {
            out = s;
            return true;
        }
    }
    return false;
}

AgentState initial_state(bool standalone, bool has_identity, bool same_machine) {
    if (standalone)
        return AgentState::standalone;
    if (!has_identity)
        return AgentState::unpaired;
    return same_machine ? AgentState::paired : AgentState::clone_detected;
}

bool AgentStateMachine::apply(StateEvent event) {
    AgentState next = state_;
    switch (state_) {
        case AgentState::unpaired:
            if (event == StateEvent::identity_found)
                next = AgentState::paired;
            break;
        case AgentState::paired:
            if (event == StateEvent::unauthorized)
                next = AgentState::auth_failed;
            if (event == StateEvent::tenant_inactive)
                next = AgentState::tenant_inactive;
            if (event == StateEvent::revoked)
                next = AgentState::revoked;
            break;
        case AgentState::auth_failed:
        case AgentState::tenant_inactive:
            if (event == StateEvent::upload_ok)
                next = AgentState::paired;
            if (event == StateEvent::revoked)
                next = AgentState::revoked;
            if (event == StateEvent::unauthorized)
                next = AgentState::auth_failed;
            if (event == StateEvent::tenant_inactive)
                next = AgentState::tenant_inactive;
            break;
        case AgentState::standalone:
        case AgentState::revoked:
        case AgentState::clone_detected:
        case AgentState::retired:
            break;
    }
    if (next == state_)
        return false;
    log_info("state", std::string(to_string(state_)) + " -> " + to_string(next));
    state_ = next;
    return true;
}

bool AgentStateMachine::may_upload() const {
    return state_ == AgentState::paired || state_ == AgentState::auth_failed ||
           state_ == AgentState::tenant_inactive;
}

}  // namespace tally::agent
