// The admin HTTP API's tenant routes (see admin_routes.h): each reads its fields
// (request_fields.h), calls one use case of server/application and replies (admin_route.h).

#include "server/http/admin_routes.h"

#include "pairing/time_format.h"

#include "server/application/device_admin.h"
#include "server/application/group_admin.h"
#include "server/application/tenant_admin.h"
#include "server/application/user_admin.h"
#include "server/domain/error_code.h"
#include "server/http/admin_json.h"
#include "server/http/admin_route.h"
#include "server/http/event_log.h"
#include "server/http/report_body.h"
#include "server/http/request_fields.h"
#include "server/report/month_close.h"
#include "server/report/usage_report.h"

namespace tally::server {
namespace {

using admin_route::Caller;
using admin_route::Ctx;
using admin_route::reply;
using nlohmann::json;
namespace aj = admin_json;

//! `items` as a JSON array, each by `one`.
template <typename Items, typename One>
json array_of(const Items& items, One&& one) {
    json out = json::array();
    for (const auto& item : items) {
        out.push_back(one(item));
    }
    return out;
}

Result<void> list_tenants(const Ctx& ctx, const Request&, Response& res, const Caller& c) {
    const auto now = ctx.clock();
    return reply(res, application::TenantAdmin(ctx.store).list(c), [now](const auto& tenants) {
        return array_of(tenants, [now](const auto& t) { return aj::tenant(t, now); });
    });
}

Result<void> add_tenant(const Ctx& ctx, const Request& req, Response& res, const Caller& c) {
    if (auto g = application::global_only(c); !g) {
        return g;
    }
    RequestFields f(req);
    const auto name = f.required("name");
    const auto options = f.policy_options();
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    auto added = application::TenantAdmin(ctx.store).add(name, options, ctx.clock());
    if (!added) {
        return admin_route::exists_as_bad_request(added.error());
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
    const std::string what = req.matches[2];
    RequestFields f(req);
    const auto options = f.policy_options();
    const auto status = what == "status" ? f.required("status") : std::string();
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    auto change = application::TenantChange::policy;
    if (what == "status") {
        change = application::TenantChange::status;
    } else if (what == "trial") {
        if (!options.contains("trial-end")) {
            return domain::make_error(domain::ErrorCode::bad_request,
                                      "field 'trial_end' is required");
        }
        change = application::TenantChange::trial;
    }
    auto changed =
        application::TenantAdmin(ctx.store).change(t, change, status, options, ctx.clock());
    if (changed) {
        log_event("tenant " + changed->name + " changed (" + what + ")");
    }
    const auto now = ctx.clock();
    return reply(res, changed, [now](const auto& s) { return aj::tenant(s, now); });
}

Result<void> list_groups(const Ctx& ctx, const Request&, Response& res, const Caller&,
                         TenantSettings& t) {
    return reply(res, application::GroupAdmin(ctx.store).list_groups(t.name), [](const auto& gs) {
        return array_of(gs, [](const auto& g) {
            return json{{"name", g.name},
                        {"package", g.package ? json(*g.package) : json(nullptr)},
                        {"members", g.members}};
        });
    });
}

Result<void> add_group(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                       TenantSettings& t) {
    RequestFields f(req);
    const auto name = f.required("name");
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    if (auto r = application::GroupAdmin(ctx.store).add_group(t.name, name, ctx.clock()); !r) {
        return admin_route::exists_as_bad_request(r.error());
    }
    aj::ok(res, {{"group", name}});
    return {};
}

Result<void> add_member(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                        TenantSettings& t) {
    RequestFields f(req);
    const auto principal = f.required("principal");
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    const std::string group = req.matches[2];
    auto key = application::GroupAdmin(ctx.store).add_member(t.name, group, principal, ctx.clock());
    return reply(res, key, [&](const auto& k) { return json{{"group", group}, {"user", k}}; });
}

Result<void> list_subscriptions(const Ctx& ctx, const Request&, Response& res, const Caller&,
                                TenantSettings& t) {
    auto subs = application::GroupAdmin(ctx.store).list_subscriptions(t.name);
    return reply(res, subs, [](const auto& all) {
        return array_of(all, [](const auto& s) {
            return json{{"group", s.group},
                        {"package", s.package},
                        {"attached_at", pairing::format_rfc3339(s.attached_at)}};
        });
    });
}

Result<void> attach_subscription(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                                 TenantSettings& t) {
    RequestFields f(req);
    const auto group = f.required("group");
    const auto package = f.required("package");
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    if (auto r = application::GroupAdmin(ctx.store).attach(t.name, group, package, ctx.clock());
        !r) {
        return r;
    }
    aj::ok(res, {{"group", group}, {"package", package}});
    return {};
}

Result<void> list_devices(const Ctx& ctx, const Request&, Response& res, const Caller&,
                          TenantSettings& t) {
    return reply(res, application::DeviceAdmin(ctx.store).list(t.name),
                 [](const auto& devices) { return array_of(devices, aj::device); });
}

//! user (assign or clear), type, or retire (through the device lifecycle).
Result<void> edit_device(const Ctx& ctx, const Request& req, application::DeviceAdmin& admin,
                         const Device& device) {
    RequestFields f(req);
    const std::string what = req.matches[3];
    const auto principal = what == "user" ? f.optional("principal") : std::nullopt;
    const auto type = what == "type" ? f.required("type") : std::string();
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    if (what == "user") {
        auto key = admin.assign_user(device, principal, ctx.clock());
        return key ? Result<void>() : Result<void>(key.error());
    }
    if (what == "type") {
        return admin.set_type(device, type, ctx.clock());
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
    return reply(res, application::UserAdmin(ctx.store, ctx.store).list(t.name, ctx.clock()),
                 [](const auto& users) { return array_of(users, aj::user); });
}

Result<void> merge_users(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                         TenantSettings& t) {
    RequestFields f(req);
    const auto from = f.required("from");
    const auto into = f.required("into");
    if (auto bad = f.check(); !bad) {
        return bad;
    }
    auto keys = application::UserAdmin(ctx.store, ctx.store).merge(t.name, from, into, ctx.clock());
    return reply(res, keys, [](const auto& k) {
        return json{{"merged", k.first}, {"into", k.second}};
    });
}

Result<void> usage(const Ctx& ctx, const Request& req, Response& res, const Caller&,
                   TenantSettings& t) {
    // A closed month's rows stay in its snapshot, decoded one at a time as they are written.
    auto built = build_usage_rows(ctx.store, t.name, req.get_param_value("month"), ctx.clock());
    if (!built) {
        return built.error();
    }
    const auto& report = built->head;
    const std::string ext = req.matches[2];
    const auto format = ext.empty() ? UsageFormat::json : *parse_usage_format(ext.substr(1));
    // Written to a temporary file the front sends: never the whole text in memory.
    auto body = usage_body_file(*report, *built->rows, format);
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

}  // namespace

void install_admin_routes(Router& router, Store& store, Clock clock) {
    using admin_route::caller_route;
    using admin_route::tenant_route;
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
    admin_route::install_global_routes(router, ctx);
}

}  // namespace tally::server
