#pragma once
// What every admin route shares (admin_routes.cpp, admin_global_routes.cpp): the bearer token
// check, the tenant access check, and the answer. A route is a plain function that reads its
// request (request_fields.h), calls one use case of server/application and replies; errors
// map to statuses in one table (domain/error_code.h).

#include <utility>

#include <nlohmann/json.hpp>

#include "pairing/result.h"
#include "server/application/admin_access.h"
#include "server/front/router.h"
#include "server/http/admin_json.h"
#include "server/http/routes.h"
#include "server/store/store.h"

namespace tally::server::admin_route {

struct Ctx {
    Store& store;
    Clock clock;
};

using Caller = application::Caller;
using CallerRoute = Result<void> (*)(const Ctx&, const Request&, Response&, const Caller&);
using TenantRoute = Result<void> (*)(const Ctx&, const Request&, Response&, const Caller&,
                                     TenantSettings&);

//! The route after a valid `Authorization: Bearer <admin token>` (else 401).
Handler caller_route(const Ctx& ctx, CallerRoute route);
//! The route for the tenant of the path's first capture, when the caller may act on it.
Handler tenant_route(const Ctx& ctx, TenantRoute route);

//! "exists" is answered as bad_request (the name is taken), as the API always did.
Error exists_as_bad_request(const Error& e);

//! 200 with `to_json(value)`, or the use case's error.
template <typename T, typename ToJson>
Result<void> reply(Response& res, const Result<T>& result, ToJson&& to_json) {
    if (!result) {
        return result.error();
    }
    admin_json::ok(res, std::forward<ToJson>(to_json)(*result));
    return {};
}

//! Admin tokens and purge: the global admin's routes (admin_global_routes.cpp).
void install_global_routes(Router& router, const Ctx& ctx);

}  // namespace tally::server::admin_route
