// Principal mapping (see principal.h). Uses pairing::hmac_sha256, provided by the crypto
// backend linked into the final binary (tally_pairing or the platform's).

#include "agent/activity/principal.h"

#include <algorithm>
#include <cctype>

#include "pairing/bytes.h"
#include "pairing/crypto.h"

namespace tally::agent {

PrincipalMapper::PrincipalMapper(bool hashed, std::string salt)
    : hashed_(hashed), salt_(std::move(salt)) {}

std::string PrincipalMapper::map(const SessionSample& s) const {
    std::string p = s.principal.empty() ? s.user : s.principal;
    if (!hashed_)
        return p;
    std::transform(p.begin(), p.end(), p.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return pairing::hex_encode(
        pairing::hmac_sha256(pairing::as_bytes(salt_), pairing::as_bytes(p)));
}

}  // namespace tally::agent
