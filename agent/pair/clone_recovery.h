#pragma once
// Clone handling (DESIGN.md §4): identity.json made on another machine (a golden image, a
// copied VM) must not upload as that machine. The copied credential and spool are set aside
// (the spool's heartbeats belong to the original device, which still holds them) and the
// agent pairs afresh, as a new device, with the pairing code kept in identity.json. Without a
// stored code it cannot: the caller keeps the state clone_detected (status exit 2).

#include <filesystem>

#include "agent/config.h"
#include "agent/identity/identity.h"
#include "agent/pair/pair_device.h"
#include "pairing/result.h"

namespace tally::agent {

//! `copied` is the identity found on disk (its fingerprint differs from this machine's).
//! Error code "clone_detected" when no pairing code is stored; pairing errors otherwise.
Result<Identity> recover_from_clone(const Identity& copied, const Config& config,
                                    const std::filesystem::path& state_dir, PairDeps& deps);

}  // namespace tally::agent
