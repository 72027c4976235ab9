// The one error table (see error_code.h).

#include "server/domain/error_code.h"

#include <array>

namespace tally::server::domain {
namespace {

struct Row {
    ErrorCode code;
    std::string_view wire;
    int http;
    int exit;
};

constexpr int kFail = 1;
constexpr int kUsage = 64;

// clang-format off
constexpr std::array kTable = {
    Row{ErrorCode::bad_request,        "bad_request",        400, kFail},
    Row{ErrorCode::bad_gzip,           "bad_gzip",           400, kFail},
    Row{ErrorCode::bad_signature,      "bad_signature",      401, kFail},
    Row{ErrorCode::unknown_device,     "unknown_device",     401, kFail},
    Row{ErrorCode::unauthorized,       "unauthorized",       401, kFail},
    Row{ErrorCode::invalid_code,       "invalid_code",       403, kFail},
    Row{ErrorCode::code_expired,       "code_expired",       403, kFail},
    Row{ErrorCode::code_exhausted,     "code_exhausted",     403, kFail},
    Row{ErrorCode::tenant_inactive,    "tenant_inactive",    403, kFail},
    Row{ErrorCode::forbidden,          "forbidden",          403, kFail},
    Row{ErrorCode::not_found,          "not_found",          404, kFail},
    Row{ErrorCode::exists,             "exists",             400, kFail},
    Row{ErrorCode::method_not_allowed, "method_not_allowed", 405, kFail},
    Row{ErrorCode::device_retired,     "device_retired",     410, kFail},
    Row{ErrorCode::device_revoked,     "device_revoked",     410, kFail},
    Row{ErrorCode::payload_too_large,  "payload_too_large",  413, kFail},
    Row{ErrorCode::out_of_window,      "out_of_window",      422, kFail},
    Row{ErrorCode::rate_limited,       "rate_limited",       429, kFail},
    Row{ErrorCode::header_too_large,   "header_too_large",   431, kFail},
    Row{ErrorCode::usage,              "usage",              400, kUsage},
    Row{ErrorCode::unavailable,        "unavailable",        503, kFail},
    Row{ErrorCode::internal,           "internal",           500, kFail},
};
// clang-format on

const Row& row(ErrorCode code) {
    for (const auto& r : kTable) {
        if (r.code == code) {
            return r;
        }
    }
    return kTable.back();
}

}  // namespace

std::string_view to_string(ErrorCode code) {
    return row(code).wire;
}

ErrorCode code_of(std::string_view wire) {
    // The database went away (PostgreSQL down or restarting, retries spent): worth a retry.
    if (wire == "db_unavailable" || wire == "db_retry") {
        return ErrorCode::unavailable;
    }
    for (const auto& r : kTable) {
        if (r.wire == wire) {
            return r.code;
        }
    }
    return ErrorCode::internal;
}

ErrorCode code_of(const Error& error) {
    return code_of(error.code);
}

int http_status(ErrorCode code) {
    return row(code).http;
}

int exit_status(ErrorCode code) {
    return row(code).exit;
}

Error make_error(ErrorCode code, std::string message) {
    return Error{std::string(to_string(code)), std::move(message)};
}

}  // namespace tally::server::domain
