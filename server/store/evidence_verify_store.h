#pragma once
// `tally-server verify-evidence`: re-checking one tenant's month from the stored evidence
// (evidence_check.h says what is checked; evidence_walk.h holds the checks both stores share).
// One of the narrow store interfaces (store.h lists them).

#include <string_view>

#include "pairing/result.h"
#include "server/store/evidence_check.h"

namespace tally::server {

class EvidenceVerifyStore {
  public:
    virtual ~EvidenceVerifyStore() = default;

    //! Read in one consistent snapshot. Errors: not_found (tenant), bad_request (month), db*.
    virtual Result<EvidenceCheck> verify_evidence(std::string_view tenant,
                                                  std::string_view month) = 0;
};

}  // namespace tally::server
