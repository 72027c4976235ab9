#pragma once
// The principal a heartbeat names for a session's user: as the platform reports it, or with
// user_identity "hashed" an HMAC so the backend can count users without learning names.

#include <string>

#include "agent/interfaces/activity_source.h"

namespace tally::agent {

class PrincipalMapper {
  public:
    //! hashed=false: principals pass through. hashed=true: hex HMAC-SHA256(salt,
    //! lower-cased principal), so "ALICE@EXAMPLE.COM" and "alice@example.com" match.
    PrincipalMapper(bool hashed, std::string salt);
    std::string map(const SessionSample& s) const;

  private:
    bool hashed_;
    std::string salt_;
};

}  // namespace tally::agent
