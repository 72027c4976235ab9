// Authentication and tenant access of the admin routes (see admin_route.h).

#include "server/http/admin_route.h"

#include "server/auth/admin_token.h"
#include "server/domain/error_code.h"
#include "server/http/error_response.h"

namespace tally::server::admin_route {
namespace {

using domain::ErrorCode;

Result<Caller> authenticate(Store& store, const Request& req, std::int64_t now) {
    constexpr std::string_view kBearer = "Bearer ";
    const auto header = req.get_header_value("Authorization");
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
        return domain::make_error(ErrorCode::unauthorized,
                                  "an 'Authorization: Bearer <admin token>' header is required");
    }
    auto token =
        find_usable_admin_token(store, hash_admin_token(header.substr(kBearer.size())), now);
    if (!token) {
        return token.error();
    }
    if (!*token) {
        return domain::make_error(ErrorCode::unauthorized,
                                  "the admin token is not valid (unknown, expired or revoked)");
    }
    return Caller{(*token)->tenant};
}

}  // namespace

Error exists_as_bad_request(const Error& e) {
    return domain::code_of(e) == ErrorCode::exists
               ? domain::make_error(ErrorCode::bad_request, e.message)
               : e;
}

Handler caller_route(const Ctx& ctx, CallerRoute route) {
    return [ctx, route](const Request& req, Response& res) {
        auto caller = authenticate(ctx.store, req, ctx.clock());
        Result<void> r = caller ? route(ctx, req, res, *caller) : Result<void>(caller.error());
        if (!r) {
            set_error(res, r.error());
        }
    };
}

Handler tenant_route(const Ctx& ctx, TenantRoute route) {
    return [ctx, route](const Request& req, Response& res) {
        auto r = [&]() -> Result<void> {
            auto caller = authenticate(ctx.store, req, ctx.clock());
            if (!caller) {
                return caller.error();
            }
            auto t = application::tenant_access(ctx.store, *caller, req.matches[1], ctx.clock());
            if (!t) {
                return t.error();
            }
            return route(ctx, req, res, *caller, *t);
        }();
        if (!r) {
            set_error(res, r.error());
        }
    };
}

}  // namespace tally::server::admin_route
