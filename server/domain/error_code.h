#pragma once
// Every error the server answers with, as one enum, and the ONE table that maps it to its
// wire string (PROTOCOL.md §7 / DESIGN.md, unchanged), its HTTP status and the CLI's exit
// status. Error::code (pairing/result.h) keeps carrying the wire string so pairing/ and the
// agent are untouched; code_of() reads it back as the enum.

#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::server::domain {

enum class ErrorCode {
    bad_request,
    bad_gzip,
    bad_signature,
    unknown_device,
    unauthorized,
    invalid_code,
    code_expired,
    code_exhausted,
    tenant_inactive,
    forbidden,
    not_found,
    exists,
    method_not_allowed,
    device_retired,
    device_revoked,
    payload_too_large,
    out_of_window,
    rate_limited,
    header_too_large,
    usage,
    unavailable,  //!< the database is unreachable for now (store errors db_unavailable, db_retry)
    internal,     //!< database, I/O and every code not in the table
};

//! The wire string, e.g. "bad_signature".
std::string_view to_string(ErrorCode code);
//! The enum of a wire string; unknown strings ("db", "io", …) are internal.
ErrorCode code_of(std::string_view wire);
ErrorCode code_of(const Error& error);
int http_status(ErrorCode code);
//! 64 (EX_USAGE) for usage and bad input given on the command line, else 1.
int exit_status(ErrorCode code);

Error make_error(ErrorCode code, std::string message);

}  // namespace tally::server::domain
