#pragma once
// POST /v1/retire logic, independent of HTTP (PROTOCOL.md §6). Idempotent.

#include <cstdint>
#include <string_view>

#include "pairing/result.h"
#include "server/store/device_store.h"

namespace tally::server {

//! Errors: unknown_device, bad_signature, bad_request, db. Returns the retired device id.
Result<std::string> handle_retire(DeviceStore& store, std::string_view device_id,
                                  std::string_view signature, std::string_view body,
                                  std::int64_t now);

}  // namespace tally::server
