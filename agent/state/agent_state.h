#pragma once
// The agent's one state machine. AgentStateMachine is its only owner; every change goes
// through apply(), which enforces the transitions below and logs them.
//
//   start ──► unpaired          (mode paired, no identity.json)
//         ──► paired            (identity made on this machine)
//         ──► clone_detected    (identity made on another machine: copied disk image)
//         ──► standalone        (mode standalone)
//   unpaired        ──identity_found──► paired (pair ran while the agent was running)
//   paired          ──unauthorized────► auth_failed      (401: key or device unknown)
//   paired          ──tenant_inactive─► tenant_inactive  (403 tenant_inactive)
//   paired          ──revoked─────────► revoked          (410: retired/revoked, final)
//   auth_failed     ──upload_ok───────► paired
//   tenant_inactive ──upload_ok───────► paired
//   auth_failed/tenant_inactive ──revoked──► revoked
//   start ──► retired (identity.json records a successful `tally-agent retire`; final)
//   clone_detected: the app re-pairs with the stored code and starts again as paired
// Any other event leaves the state unchanged.

#include <string>

namespace tally::agent {

enum class AgentState {
    unpaired,
    paired,
    standalone,
    auth_failed,
    tenant_inactive,
    revoked,
    clone_detected,
    retired,  //!< `tally-agent retire` succeeded: final, nothing is uploaded
};
const char* to_string(AgentState s);
bool parse_agent_state(const std::string& text, AgentState& out);

enum class StateEvent { identity_found, upload_ok, unauthorized, tenant_inactive, revoked };

//! The state at start-up from what is on disk.
AgentState initial_state(bool standalone, bool has_identity, bool same_machine);

class AgentStateMachine {
  public:
    explicit AgentStateMachine(AgentState initial) : state_(initial) {}
    AgentState state() const { return state_; }
    //! Applies `event`; returns true when the state changed.
    bool apply(StateEvent event);
    //! Whether uploads should be attempted in the current state.
    bool may_upload() const;

  private:
    AgentState state_;
};

}  // namespace tally::agent
