#pragma once
// What every SignedSender does between the unsigned request and the wire (PROTOCOL.md §1,
// §4–§6): for `pair`, put the device's public key into the body; then add Tally-Signature
// over the exact body bytes. Shared by tally-agent-helper and KeySigningSender.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "agent/interfaces/signed_sender.h"
#include "pairing/bytes.h"
#include "pairing/result.h"

namespace tally::agent {

using Signer = std::function<Result<pairing::Bytes>(std::span<const std::uint8_t>)>;

//! The pair body with `public_key_b64` in place of its empty "public_key"; an Error when
//! the body has no (or more than one) empty public_key field.
Result<std::string> fill_pair_public_key(std::string_view body, std::string_view public_key_b64);

//! The request ready to send: the pair body filled (kind pair), the signature header added.
//! Refuses a request that already carries a Tally-Signature header.
Result<HttpRequest> sign_request(const SignedRequest& request, std::string_view public_key_b64,
                                 const Signer& sign);

}  // namespace tally::agent
