#pragma once
// The HTTP routes of PROTOCOL.md on a cpp-httplib server: thin adapters from requests to
// the ingest/report functions, which do the work.

#include <cstdint>
#include <functional>

#include <httplib.h>

#include "server/ingest/options.h"
#include "server/store/store.h"

namespace tally::server {

using Clock = std::function<std::int64_t()>;

//! Raw request bytes cap for POST /v1/heartbeats (and the server's payload limit).
constexpr std::size_t kMaxUploadBody = 4 * 1024 * 1024;
//! Raw request bytes cap for POST /v1/pair and /v1/retire.
constexpr std::size_t kMaxSmallBody = 64 * 1024;

//! Registers routes, the error/exception handlers and the raw-body pre-routing handler.
//! `store` and `options` must outlive the server.
void install_routes(httplib::Server& server, Store& store, const IngestOptions& options,
                    Clock clock);

}  // namespace tally::server
