#pragma once
// SessionSample ⇄ JSON in the shape `tally-agent probe --json` prints (one object per
// session), so recorded probe output can be replayed through the accounting in tests and
// support can attach it to a ticket.

#include <nlohmann/json.hpp>

#include "agent/activity/verdict.h"
#include "agent/interfaces/activity_source.h"
#include "pairing/result.h"

namespace tally::agent {

//! The session's facts plus its verdict and reason.
nlohmann::json session_to_json(const SessionSample& s, const Verdict& v);
//! Reads the facts back (verdict/reason are ignored: they are recomputed). Unknown kinds or
//! classes and wrong types are errors naming the field.
Result<SessionSample> session_from_json(const nlohmann::json& j);

}  // namespace tally::agent
