// The global admin's routes (see admin_route.h): admin tokens (application::TokenAdmin, the
// same use cases as `tally-server admin-token`) and purge (application::PurgeRun, as
// `tally-server purge`). A tenant token gets 403 forbidden.

#include "pairing/time_format.h"
#include "server/application/purge_run.h"
#include "server/application/token_admin.h"
#include "server/http/admin_json.h"
#include "server/http/admin_route.h"
#include "server/http/event_log.h"
#include "server/http/request_fields.h"

namespace tally::server::admin_route {
namespace {

using application::TokenAdmin;
using nlohmann::json;
namespace aj = admin_json;

json token_json(const application::TokenView& v) {
    const auto& t = v.info;
    return {{"id", t.id},
            {"name", t.name},
            {"tenant", t.tenant ? json(*t.tenant) : json(nullptr)},
            {"created_at", pairing::format_rfc3339(t.created_at)},
            {"expires_at", aj::opt_time(t.expires_at)},
            {"state", application::to_string(v.state)}};
}

Result<void> list_tokens(const Ctx& ctx, const Request&, Response& res, const Caller& c) {
    return reply(res, TokenAdmin(ctx.store).list(c, ctx.clock()), [](const auto& tokens) {
        json out = json::array();
        for (const auto& t : tokens) {
            out.push_back(token_json(t));
        }
        return out;
    });
}

Result<void> create_token(const Ctx& ctx, const Request& req, Response& res, const Caller& c) {
    RequestFields f(req);
    application::NewToken request{f.optional("tenant"), f.optional("name").value_or(""),
                                  f.optional("expires").value_or("90d")};
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    auto issued = TokenAdmin(ctx.store).create(c, request, ctx.clock());
    if (issued) {
        log_event("admin token " + issued->id + " created");  // the id, never the token
    }
    return reply(res, issued, [&](const application::IssuedToken& t) {
        return json{{"token", t.token},
                    {"id", t.id},
                    {"name", request.name},
                    {"tenant", request.tenant ? json(*request.tenant) : json(nullptr)},
                    {"expires_at", pairing::format_rfc3339(t.expires_at)}};
    });
}

Result<void> revoke_token(const Ctx& ctx, const Request& req, Response& res, const Caller& c) {
    const std::string id = req.matches[1];
    if (auto r = TokenAdmin(ctx.store).revoke(c, id, ctx.clock()); !r) {
        return r;
    }
    log_event("admin token " + id + " revoked");
    aj::ok(res, {{"id", id}, {"state", "revoked"}});
    return {};
}

Result<void> purge(const Ctx& ctx, const Request&, Response& res, const Caller& c) {
    return reply(res, application::PurgeRun(ctx.store).run(c, ctx.clock()), [](const auto& r) {
        return json{{"users_purged", r.users_purged},
                    {"heartbeat_rows_redacted", r.heartbeat_rows_redacted}};
    });
}

}  // namespace

void install_global_routes(Router& router, const Ctx& ctx) {
    router.get("/v1/admin-tokens", caller_route(ctx, list_tokens));
    router.post("/v1/admin-tokens", caller_route(ctx, create_token));
    router.post("/v1/admin-tokens/([^/]+)/revoke", caller_route(ctx, revoke_token));
    router.post("/v1/purge", caller_route(ctx, purge));
}

}  // namespace tally::server::admin_route
