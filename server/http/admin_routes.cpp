// The admin HTTP API (see admin_routes.h): each route reads its request, calls one use case
// of server/application and writes its answer; errors map to statuses in one table
// (domain/error_code.h).

#include "server/http/admin_routes.h"

#include "pairing/time_format.h"

#include "server/application/admin_access.h"
#include "server/application/device_admin.h"
#include "server/application/group_admin.h"
#include "server/application/tenant_admin.h"
#include "server/application/user_admin.h"
#include "server/auth/admin_token.h"
#include "server/domain/error_code.h"
#include "server/http/admin_json.h"
#include "server/http/error_response.h"
#include "server/http/event_log.h"
#include "server/http/report_body.h"
#include "server/report/usage_report.h"

namespace tally::server {
namespace {

using application::Caller;
using domain::ErrorCode;
using nlohmann::json;
namespace aj = admin_json;

struct Ctx {
    Store& store;
    Clock clock;
};

using CallerRoute = Result<void> (*)(const Ctx&, const Request&, Response&, const Caller&);
using TenantRoute = Result<void> (*)(const Ctx&, const Request&, Response&, const Caller&,
                                     TenantSettings&);

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

//! "exists" is answered as bad_request (the name is taken), as the API always did.
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

Result<void> list_tenants(const Ctx& ctx, const Request&, Response& res, const Caller& c) {
    auto tenants = application::TenantAdmin(ctx.store).list(c);
    if (!tenants) {
        return tenants.error();
    }
    json out = json::array();
    for (const auto& t : *tenants) {
        out.push_back(aj::tenant(t, ctx.clock()));
    }
    aj::ok(res, out);
    return {};
}

Result<void> add_tenant(const Ctx& ctx, const Request& req, Response& res, const Caller& c) {
    if (auto g = application::global_only(c); !g) {
        return g;
    }
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    auto name = aj::str_field(*doc, "name");
    if (!name) {
        return name.error();
    }
    auto options = aj::policy_options(*doc);
    if (!options) {
        return options.error();
    }
    auto added = application::TenantAdmin(ctx.store).add(*name, *options, ctx.clock());
    if (!added) {
        return exists_as_bad_request(added.error());
    }
    aj::ok(res, aj::tenant(*added, ctx.clock()));
    return {};
}

Result<void> get_tenant(const Ctx& ctx, const Request&, Response& res, const Caller&,
                        TenantSettings& t) {
    aj::ok(res, aj::tenant(t, ctx.clock()));
    return {};
}

Result<void> change_tenant(const Ctx& ctx, const Request& req, Response& res, const Caller& c,
                           TenantSettings& t) {
    if (auto g = application::global_only(c); !g) {
        return g;
    }
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    auto options = aj::policy_options(*doc);
    if (!options) {
        return options.error();
    }
    const std::string what = req.matches[2];
    std::string status;
    auto change = application::TenantChange::policy;
    if (what == "status") {
        auto s = aj::str_field(*doc, "status");
        if (!s) {
            return s.error();
        }
        status = *s;
        change = application::TenantChange::status;
    } else if (what == "trial") {
        if (!options->contains("trial-end")) {
            return domain::make_error(ErrorCode::bad_request, "field 'trial_end' is required");
        }
        change = application::TenantChange::trial;
    }
    auto changed =
        application::TenantAdmin(ctx.store).change(t, change, status, *options, ctx.clock());
    if (!changed) {
        return changed.error();
    }
    log_event("tenant " + changed->name + " changed (" + what + ")");
    aj::ok(res, aj::tenant(*changed, ctx.clock()));
    return {};
}

Result<void> list_groups(const Ctx& ctx, const Request&, Response& res, const Caller&,
                         TenantSettings& t) {
    auto groups = application::GroupAdmin(ctx.store).list_groups(t.name);
    if (!groups) {
        return groups.error();
    }
    json out = json::array();
    for (const auto& g : *groups) {
        out.push_back({{"name", g.name},
                       {"package", g.package ? json(*g.package) : json(nullptr)},
                       {"members", g.members}});
    }
    aj::ok(res, out);
    return {};
}

Result<void> add_group(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                       TenantSettings& t) {
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    auto name = aj::str_field(*doc, "name");
    if (!name) {
        return name.error();
    }
    if (auto r = application::GroupAdmin(ctx.store).add_group(t.name, *name, ctx.clock()); !r) {
        return exists_as_bad_request(r.error());
    }
    aj::ok(res, {{"group", *name}});
    return {};
}

Result<void> add_member(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                        TenantSettings& t) {
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    auto principal = aj::str_field(*doc, "principal");
    if (!principal) {
        return principal.error();
    }
    const std::string group = req.matches[2];
    auto key =
        application::GroupAdmin(ctx.store).add_member(t.name, group, *principal, ctx.clock());
    if (!key) {
        return key.error();
    }
    aj::ok(res, {{"group", group}, {"user", *key}});
    return {};
}

Result<void> list_subscriptions(const Ctx& ctx, const Request&, Response& res, const Caller&,
                                TenantSettings& t) {
    auto subs = application::GroupAdmin(ctx.store).list_subscriptions(t.name);
    if (!subs) {
        return subs.error();
    }
    json out = json::array();
    for (const auto& s : *subs) {
        out.push_back({{"group", s.group},
                       {"package", s.package},
                       {"attached_at", pairing::format_rfc3339(s.attached_at)}});
    }
    aj::ok(res, out);
    return {};
}

Result<void> attach_subscription(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                                 TenantSettings& t) {
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    auto group = aj::str_field(*doc, "group");
    if (!group) {
        return group.error();
    }
    auto package = aj::str_field(*doc, "package");
    if (!package) {
        return package.error();
    }
    if (auto r = application::GroupAdmin(ctx.store).attach(t.name, *group, *package, ctx.clock());
        !r) {
        return r;
    }
    aj::ok(res, {{"group", *group}, {"package", *package}});
    return {};
}

Result<void> list_devices(const Ctx& ctx, const Request&, Response& res, const Caller&,
                          TenantSettings& t) {
    auto devices = application::DeviceAdmin(ctx.store).list(t.name);
    if (!devices) {
        return devices.error();
    }
    json out = json::array();
    for (const auto& v : *devices) {
        out.push_back(aj::device(v));
    }
    aj::ok(res, out);
    return {};
}

//! user (assign or clear), type, or retire (through the device lifecycle).
Result<void> edit_device(const Ctx& ctx, const Request& req, application::DeviceAdmin& admin,
                         const Device& device) {
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    const std::string what = req.matches[3];
    if (what == "user") {
        std::optional<std::string> principal;
        if (const auto it = doc->find("principal"); it != doc->end() && !it->is_null()) {
            auto p = aj::str_field(*doc, "principal");
            if (!p) {
                return p.error();
            }
            principal = *p;
        }
        auto key = admin.assign_user(device, principal, ctx.clock());
        return key ? Result<void>() : Result<void>(key.error());
    }
    if (what == "type") {
        auto type = aj::str_field(*doc, "type");
        if (!type) {
            return type.error();
        }
        return admin.set_type(device, *type, ctx.clock());
    }
    auto retired = admin.retire(device, "retired by admin", ctx.clock());
    return retired ? Result<void>() : Result<void>(retired.error());
}

Result<void> change_device(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                           TenantSettings& t) {
    application::DeviceAdmin admin(ctx.store);
    auto device = admin.find(req.matches[2], t.name);
    if (!device) {
        return device.error();
    }
    if (auto r = edit_device(ctx, req, admin, *device); !r) {
        return r;
    }
    aj::ok(res, {{"device_id", device->id}, {"changed", req.matches[3]}});
    return {};
}

Result<void> list_users(const Ctx& ctx, const Request&, Response& res, const Caller&,
                        TenantSettings& t) {
    auto users = application::UserAdmin(ctx.store, ctx.store).list(t.name, ctx.clock());
    if (!users) {
        return users.error();
    }
    json out = json::array();
    for (const auto& u : *users) {
        out.push_back(aj::user(u));
    }
    aj::ok(res, out);
    return {};
}

Result<void> merge_users(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                         TenantSettings& t) {
    auto doc = aj::body(req);
    if (!doc) {
        return doc.error();
    }
    auto from = aj::str_field(*doc, "from");
    if (!from) {
        return from.error();
    }
    auto into = aj::str_field(*doc, "into");
    if (!into) {
        return into.error();
    }
    auto keys =
        application::UserAdmin(ctx.store, ctx.store).merge(t.name, *from, *into, ctx.clock());
    if (!keys) {
        return keys.error();
    }
    aj::ok(res, {{"merged", keys->first}, {"into", keys->second}});
    return {};
}

Result<void> usage(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                   TenantSettings& t) {
    auto report = build_usage_report(ctx.store, t.name, req.get_param_value("month"), ctx.clock());
    if (!report) {
        return report.error();
    }
    const std::string ext = req.matches[2];
    const auto format = ext.empty() ? UsageFormat::json : *parse_usage_format(ext.substr(1));
    // Written to a temporary file the front sends: never the whole text in memory.
    auto body = usage_body_file(*report, format);
    if (!body) {
        return body.error();
    }
    if (format == UsageFormat::xlsx) {
        res.set_header("Content-Disposition",
                       "attachment; filename=\"tally-" + t.name + "-" + report->month + ".xlsx\"");
    }
    res.set_header("Content-Type", std::string(content_type(format)));
    res.body_file = std::move(*body);
    return {};
}

Result<void> purge(const Ctx& ctx, const Request&, Response& res, const Caller& c) {
    if (auto g = application::global_only(c); !g) {
        return g;
    }
    auto r = ctx.store.purge_users(ctx.clock());
    if (!r) {
        return r.error();
    }
    aj::ok(res, {{"users_purged", r->users_purged},
                 {"heartbeat_rows_redacted", r->heartbeat_rows_redacted}});
    return {};
}

}  // namespace

void install_admin_routes(Router& router, Store& store, Clock clock) {
    const Ctx ctx{store, std::move(clock)};
    const std::string t = R"(/v1/tenants/([^/]+))";
    router.get("/v1/tenants", caller_route(ctx, list_tenants));
    router.post("/v1/tenants", caller_route(ctx, add_tenant));
    router.get(t, tenant_route(ctx, get_tenant));
    router.post(t + "/(status|trial|policy)", tenant_route(ctx, change_tenant));
    router.get(t + "/groups", tenant_route(ctx, list_groups));
    router.post(t + "/groups", tenant_route(ctx, add_group));
    router.post(t + "/groups/([^/]+)/members", tenant_route(ctx, add_member));
    router.get(t + "/subscriptions", tenant_route(ctx, list_subscriptions));
    router.post(t + "/subscriptions", tenant_route(ctx, attach_subscription));
    router.get(t + "/devices", tenant_route(ctx, list_devices));
    router.post(t + "/devices/([^/]+)/(user|type|retire)", tenant_route(ctx, change_device));
    router.get(t + "/users", tenant_route(ctx, list_users));
    router.post(t + "/users/merge", tenant_route(ctx, merge_users));
    router.get(t + R"(/usage(\.csv|\.xlsx|\.json)?)", tenant_route(ctx, usage));
    router.post("/v1/purge", caller_route(ctx, purge));
}

}  // namespace tally::server
