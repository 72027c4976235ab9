// The admin HTTP API (see admin_routes.h).

#include "server/http/admin_routes.h"

#include <nlohmann/json.hpp>

#include "pairing/time_format.h"
#include "server/auth/admin_token.h"
#include "server/billing/billing_engine.h"
#include "server/billing/tenant_policy.h"
#include "server/billing/tenant_status.h"
#include "server/billing/user_key.h"
#include "server/http/error_response.h"
#include "server/http/event_log.h"
#include "server/http/report_body.h"
#include "server/report/usage_report.h"

namespace tally::server {
namespace {

using nlohmann::json;
using Req = Request;
using Res = Response;

struct Caller {
    std::optional<std::string> tenant;  //!< nullopt: a global admin
};

Result<Caller> authenticate(Store& store, const Req& req, std::int64_t now) {
    constexpr std::string_view kBearer = "Bearer ";
    const auto header = req.get_header_value("Authorization");
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
        return make_error("unauthorized",
                          "an 'Authorization: Bearer <admin token>' header is required");
    }
    auto token =
        find_usable_admin_token(store, hash_admin_token(header.substr(kBearer.size())), now);
    if (!token) {
        return token.error();
    }
    if (!*token) {
        return make_error("unauthorized",
                          "the admin token is not valid (unknown, expired or revoked)");
    }
    return Caller{(*token)->tenant};
}

//! The caller may act on `tenant`: a global admin always (unknown tenant: not_found), a
//! tenant admin only on its own tenant and only while it is not inactive.
Result<TenantSettings> tenant_access(Store& store, const Caller& caller, const std::string& tenant,
                                     std::int64_t now) {
    if (caller.tenant && *caller.tenant != tenant) {
        return make_error("forbidden", "this admin token is not valid for tenant '" + tenant + "'");
    }
    auto settings = store.tenant_settings(tenant);
    if (!settings) {
        return settings.error();
    }
    if (caller.tenant && billing::effective_status(*settings, now) == "inactive") {
        return make_error("tenant_inactive", "tenant '" + tenant + "' is inactive");
    }
    return settings;
}

Result<void> global_only(const Caller& caller) {
    if (caller.tenant) {
        return make_error("forbidden", "this needs a global admin token");
    }
    return {};
}

Result<json> body_json(const Req& req) {
    if (req.body.empty()) {
        return json::object();
    }
    auto doc = json::parse(req.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return make_error("bad_request", "the body must be a JSON object");
    }
    return doc;
}

Result<std::string> str_field(const json& doc, const char* name) {
    const auto it = doc.find(name);
    if (it == doc.end() || !it->is_string() || it->get<std::string>().empty() ||
        it->get<std::string>().size() > 256) {
        return make_error("bad_request",
                          std::string("field '") + name + "' must be a non-empty string");
    }
    return it->get<std::string>();
}

//! JSON fields (snake_case) → the CLI-named options of billing/tenant_policy.h.
Result<billing::Options> policy_options(const json& doc) {
    billing::Options o;
    for (const auto& [field, option] :
         std::vector<std::pair<std::string, std::string>>{{"time_zone", "time-zone"},
                                                          {"count_devices_by", "count-devices-by"},
                                                          {"default_package", "default-package"},
                                                          {"trial_end", "trial-end"},
                                                          {"at", "at"}}) {
        if (const auto it = doc.find(field); it != doc.end()) {
            if (!it->is_string()) {
                return make_error("bad_request", "field '" + field + "' must be a string");
            }
            o[option] = it->get<std::string>();
        }
    }
    if (const auto it = doc.find("grace_hours"); it != doc.end()) {
        if (!it->is_number_integer()) {
            return make_error("bad_request", "field 'grace_hours' must be an integer");
        }
        o["grace-hours"] = std::to_string(it->get<std::int64_t>());
    }
    return o;
}

json opt_time(const std::optional<std::int64_t>& t) {
    return t ? json(pairing::format_rfc3339(*t)) : json(nullptr);
}

json tenant_json(const TenantSettings& t, std::int64_t now) {
    return {{"name", t.name},
            {"status", billing::effective_status(t, now)},
            {"trial_end", opt_time(t.trial_end)},
            {"inactive_since", opt_time(t.inactive_since)},
            {"time_zone", t.time_zone},
            {"count_devices_by", t.count_devices_by},
            {"default_package", t.default_package},
            {"grace_hours", t.grace_hours},
            {"created_at", pairing::format_rfc3339(t.created_at)}};
}

void ok_json(Res& res, const json& doc) {
    res.status = 200;
    res.set_content(doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                    "application/json");
}

//! Runs `fn` with the caller and the tenant's settings; errors become protocol answers.
template <typename Fn>
void with_tenant(Store& store, const Clock& clock, const Req& req, Res& res, Fn&& fn) {
    auto caller = authenticate(store, req, clock());
    if (!caller) {
        set_error(res, caller.error());
        return;
    }
    auto settings = tenant_access(store, *caller, req.matches[1], clock());
    if (!settings) {
        set_error(res, settings.error());
        return;
    }
    if (auto r = fn(*caller, *settings); !r) {
        set_error(res, r.error());
    }
}

//! The device must exist and belong to the tenant in the path (else not_found: a tenant
//! admin learns nothing about other tenants' device ids).
Result<Device> tenant_device(Store& store, const std::string& tenant, const std::string& id) {
    auto found = store.find_device(id);
    if (!found) {
        return found.error();
    }
    if (!*found || (*found)->tenant != tenant) {
        return make_error("not_found", "no device '" + id + "' in tenant '" + tenant + "'");
    }
    return **found;
}

}  // namespace

void install_admin_routes(Router& router, Store& store, Clock clock) {
    router.get("/v1/tenants", [&store, clock](const Req& req, Res& res) {
        auto caller = authenticate(store, req, clock());
        if (!caller) {
            set_error(res, caller.error());
            return;
        }
        auto tenants = store.list_tenants();
        if (!tenants) {
            set_error(res, tenants.error());
            return;
        }
        json out = json::array();
        for (const auto& t : *tenants) {
            if (caller->tenant && *caller->tenant != t.name) {
                continue;
            }
            auto s = store.tenant_settings(t.name);
            if (!s) {
                set_error(res, s.error());
                return;
            }
            out.push_back(tenant_json(*s, clock()));
        }
        ok_json(res, out);
    });

    router.post("/v1/tenants", [&store, clock](const Req& req, Res& res) {
        auto caller = authenticate(store, req, clock());
        auto r = [&]() -> Result<json> {
            if (!caller) {
                return caller.error();
            }
            if (auto g = global_only(*caller); !g) {
                return g.error();
            }
            auto doc = body_json(req);
            if (!doc) {
                return doc.error();
            }
            auto name = str_field(*doc, "name");
            if (!name) {
                return name.error();
            }
            auto options = policy_options(*doc);
            if (!options) {
                return options.error();
            }
            TenantSettings t;
            t.name = *name;
            if (auto p = billing::apply_tenant_policy(t, *options); !p) {
                return p.error();
            }
            if (auto a = store.add_tenant(*name, clock()); !a) {
                return a.error();
            }
            if (auto u = store.update_tenant_settings(t); !u) {
                return u.error();
            }
            auto saved = store.tenant_settings(*name);
            if (!saved) {
                return saved.error();
            }
            return tenant_json(*saved, clock());
        }();
        if (!r) {
            set_error(res, r.error().code == "exists" ? make_error("bad_request", r.error().message)
                                                      : r.error());
            return;
        }
        ok_json(res, *r);
    });

    router.get(R"(/v1/tenants/([^/]+))", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            ok_json(res, tenant_json(t, clock()));
            return {};
        });
    });

    router.post(
        R"(/v1/tenants/([^/]+)/(status|trial|policy))", [&store, clock](const Req& req, Res& res) {
            with_tenant(
                store, clock, req, res, [&](const Caller& c, TenantSettings& t) -> Result<void> {
                    if (auto g = global_only(c); !g) {
                        return g;
                    }
                    auto doc = body_json(req);
                    if (!doc) {
                        return doc.error();
                    }
                    auto options = policy_options(*doc);
                    if (!options) {
                        return options.error();
                    }
                    const std::string what = req.matches[2];
                    Result<void> changed;
                    if (what == "status") {
                        auto status = str_field(*doc, "status");
                        if (!status) {
                            return status.error();
                        }
                        changed = billing::change_tenant_status(t, *status, *options, clock());
                    } else {
                        if (what == "trial" && !options->contains("trial-end")) {
                            return make_error("bad_request", "field 'trial_end' is required");
                        }
                        changed = billing::apply_tenant_policy(t, *options);
                    }
                    if (!changed) {
                        return changed;
                    }
                    if (auto u = store.update_tenant_settings(t); !u) {
                        return u;
                    }
                    log_event("tenant " + t.name + " changed (" + what + ")");
                    ok_json(res, tenant_json(t, clock()));
                    return {};
                });
        });

    router.get(R"(/v1/tenants/([^/]+)/groups)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto groups = store.list_groups(t.name);
            if (!groups) {
                return groups.error();
            }
            json out = json::array();
            for (const auto& g : *groups) {
                out.push_back({{"name", g.name},
                               {"package", g.package ? json(*g.package) : json(nullptr)},
                               {"members", g.members}});
            }
            ok_json(res, out);
            return {};
        });
    });

    router.post(R"(/v1/tenants/([^/]+)/groups)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto doc = body_json(req);
            if (!doc) {
                return doc.error();
            }
            auto name = str_field(*doc, "name");
            if (!name) {
                return name.error();
            }
            if (auto r = store.add_group(t.name, *name, clock()); !r) {
                return r.error().code == "exists" ? make_error("bad_request", r.error().message)
                                                  : r.error();
            }
            ok_json(res, {{"group", *name}});
            return {};
        });
    });

    router.post(R"(/v1/tenants/([^/]+)/groups/([^/]+)/members)", [&store, clock](const Req& req,
                                                                                 Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto doc = body_json(req);
            if (!doc) {
                return doc.error();
            }
            auto principal = str_field(*doc, "principal");
            if (!principal) {
                return principal.error();
            }
            const auto key = billing::user_key_from_admin(*principal);
            if (auto r = store.move_user_to_group(t.name, req.matches[2], key, clock()); !r) {
                return r;
            }
            ok_json(res, {{"group", req.matches[2]}, {"user", key}});
            return {};
        });
    });

    router.get(R"(/v1/tenants/([^/]+)/subscriptions)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto subs = store.list_subscriptions(t.name);
            if (!subs) {
                return subs.error();
            }
            json out = json::array();
            for (const auto& s : *subs) {
                out.push_back({{"group", s.group},
                               {"package", s.package},
                               {"attached_at", pairing::format_rfc3339(s.attached_at)}});
            }
            ok_json(res, out);
            return {};
        });
    });

    router.post(R"(/v1/tenants/([^/]+)/subscriptions)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto doc = body_json(req);
            if (!doc) {
                return doc.error();
            }
            auto group = str_field(*doc, "group");
            auto package = str_field(*doc, "package");
            if (!group) {
                return group.error();
            }
            if (!package) {
                return package.error();
            }
            if (auto r = store.attach_subscription(t.name, *group, *package, clock()); !r) {
                return r;
            }
            ok_json(res, {{"group", *group}, {"package", *package}});
            return {};
        });
    });

    router.get(R"(/v1/tenants/([^/]+)/devices)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto devices = store.list_devices(t.name);
            if (!devices) {
                return devices.error();
            }
            auto assigned = store.device_assignments(t.name);
            if (!assigned) {
                return assigned.error();
            }
            json out = json::array();
            for (const auto& d : *devices) {
                json user = nullptr;
                for (const auto& a : *assigned) {
                    if (a.device_id == d.id && a.user_key) {
                        user = *a.user_key;
                    }
                }
                out.push_back({{"device_id", d.id},
                               {"hostname", d.facts.hostname},
                               {"device_type", d.facts.device_type},
                               {"role", d.facts.role},
                               {"assigned_user", user},
                               {"retired", d.retired_at.has_value()},
                               {"last_seq", d.last_seq},
                               {"last_seen", opt_time(d.last_seen)}});
            }
            ok_json(res, out);
            return {};
        });
    });

    router.post(R"(/v1/tenants/([^/]+)/devices/([^/]+)/(user|type|retire))", [&store, clock](
                                                                                 const Req& req,
                                                                                 Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto device = tenant_device(store, t.name, req.matches[2]);
            if (!device) {
                return device.error();
            }
            auto doc = body_json(req);
            if (!doc) {
                return doc.error();
            }
            const std::string what = req.matches[3];
            Result<void> r;
            if (what == "user") {
                std::optional<std::string> key;
                if (const auto it = doc->find("principal"); it != doc->end() && !it->is_null()) {
                    auto p = str_field(*doc, "principal");
                    if (!p) {
                        return p.error();
                    }
                    key = billing::user_key_from_admin(*p);
                }
                r = store.assign_device_user(device->id, key, clock());
            } else if (what == "type") {
                auto type = str_field(*doc, "type");
                if (!type) {
                    return type.error();
                }
                if (*type != "business" && *type != "personal") {
                    return make_error("bad_request", "type must be business or personal");
                }
                r = store.set_device_type(device->id, *type, clock());
            } else {
                r = store.retire_device(device->id, "retired by admin", clock());
            }
            if (!r) {
                return r;
            }
            ok_json(res, {{"device_id", device->id}, {"changed", what}});
            return {};
        });
    });

    router.get(R"(/v1/tenants/([^/]+)/users)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto facts = store.billing_facts(t.name, 0, 0);
            if (!facts) {
                return facts.error();
            }
            json out = json::array();
            const auto now = clock();
            for (const auto& s : facts->signals) {
                const auto key = billing::user_key(s.principal, s.local, s.device_id);
                const auto canonical = billing::resolve_alias(facts->aliases, key);
                out.push_back(
                    {{"user_key", key},
                     {"principal", s.principal},
                     {"local", s.local},
                     {"first_seen", pairing::format_rfc3339(s.first_seen)},
                     {"last_signal", pairing::format_rfc3339(s.last_signal)},
                     {"status", billing::is_surrogate(key)                        ? "purged"
                                : s.last_signal + billing::kReleaseSeconds <= now ? "released"
                                                                                  : "active"},
                     {"merged_into", canonical == key ? json(nullptr) : json(canonical)}});
            }
            ok_json(res, out);
            return {};
        });
    });

    router.post(R"(/v1/tenants/([^/]+)/users/merge)", [&store, clock](const Req& req, Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto doc = body_json(req);
            if (!doc) {
                return doc.error();
            }
            auto from = str_field(*doc, "from");
            auto into = str_field(*doc, "into");
            if (!from) {
                return from.error();
            }
            if (!into) {
                return into.error();
            }
            const auto fk = billing::user_key_from_admin(*from);
            const auto ik = billing::user_key_from_admin(*into);
            if (auto r = store.merge_users(t.name, fk, ik, clock()); !r) {
                return r;
            }
            ok_json(res, {{"merged", fk}, {"into", ik}});
            return {};
        });
    });

    router.get(R"(/v1/tenants/([^/]+)/usage(\.csv|\.xlsx|\.json)?)", [&store, clock](const Req& req,
                                                                                     Res& res) {
        with_tenant(store, clock, req, res, [&](const Caller&, TenantSettings& t) -> Result<void> {
            auto report = build_usage_report(store, t.name, req.get_param_value("month"), clock());
            if (!report) {
                return report.error();
            }
            const std::string ext = req.matches[2];
            const auto format =
                ext.empty() ? UsageFormat::json : *parse_usage_format(ext.substr(1));
            // Written to a temporary file the front sends: never the whole text in memory.
            auto body = usage_body_file(*report, format);
            if (!body) {
                return body.error();
            }
            if (format == UsageFormat::xlsx) {
                res.set_header("Content-Disposition", "attachment; filename=\"tally-" + t.name +
                                                          "-" + report->month + ".xlsx\"");
            }
            res.set_header("Content-Type", std::string(content_type(format)));
            res.body_file = std::move(*body);
            return {};
        });
    });

    router.post("/v1/purge", [&store, clock](const Req& req, Res& res) {
        auto caller = authenticate(store, req, clock());
        if (!caller) {
            set_error(res, caller.error());
            return;
        }
        if (auto g = global_only(*caller); !g) {
            set_error(res, g.error());
            return;
        }
        auto r = store.purge_users(clock());
        if (!r) {
            set_error(res, r.error());
            return;
        }
        ok_json(res, {{"users_purged", r->users_purged},
                      {"heartbeat_rows_redacted", r->heartbeat_rows_redacted}});
    });
}

}  // namespace tally::server
