#pragma once
// Authenticates a device request (upload, retire): the device must be registered and
// Tally-Signature must verify over the exact body bytes with its registered key.

#include <string_view>

#include "pairing/result.h"
#include "server/store/device_store.h"

namespace tally::server {

//! Errors: unknown_device, bad_signature (PROTOCOL.md §7), db.
Result<Device> authenticate_device(DeviceStore& store, std::string_view device_id,
                                   std::string_view signature_b64url, std::string_view body);

//! True when the base64url signature verifies over body with the raw 65-byte key.
bool signature_valid(std::string_view public_key, std::string_view signature_b64url,
                     std::string_view body);

}  // namespace tally::server
