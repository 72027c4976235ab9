#pragma once
// Error answers exactly as PROTOCOL.md §7: {"error":"<code>","message":"<sentence>"}, and
// the HTTP status of each error code.

#include <string_view>

#include "server/front/message.h"

#include "pairing/result.h"

namespace tally::server {

//! The HTTP status for an error code; unknown codes (database, I/O) are 500.
int http_status_for(std::string_view error_code);
//! Sets status, JSON body and content type. Internal errors are answered with code
//! "internal" and a generic message (the detail goes to the log only).
void set_error(Response& res, const Error& error);

}  // namespace tally::server
