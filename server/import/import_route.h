#pragma once
// POST /v1/tenants/{tenant}/import: the bundle file as the body (Content-Type
// application/octet-stream or application/json; Content-Encoding gzip allowed), admin token
// as for the usage endpoint. 200 with the import report as JSON; a refused bundle is 422
// with error bad_bundle | bad_signature | chain_broken | wrong_tenant and a message.

#include <cstdint>
#include <functional>

#include "server/front/router.h"
#include "server/store/store.h"

namespace tally::server {

void install_import_route(Router& router, Store& store, std::function<std::int64_t()> clock);

}  // namespace tally::server
