// The /ui routes (see ui_routes.h).
//
// CSRF: the page changes state only through two POST forms (sign-in, sign-out); report
// pages and downloads are GETs without side effects. We rely on the session cookie being
// SameSite=Strict (a cross-site request never carries it) AND check Origin on every POST:
// it must be this server's own origin (https://<Host>), else 403. The Origin check also
// covers sign-in, which has no session yet (login CSRF). Browsers send Origin on every
// form POST; a POST without Origin is accepted only with a same-origin Referer, and
// refused without either. Referrer-Policy same-origin keeps Origin real on our own posts
// (no-referrer would make browsers send "Origin: null") and leaks nothing cross-site.
// A per-form token would add state for no protection this does not already give.

#include "server/ui/ui_routes.h"

#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pairing/time_format.h"
#include "server/application/admin_access.h"
#include "server/application/console_customers.h"
#include "server/application/console_detail.h"
#include "server/application/console_month.h"
#include "server/application/tenant_admin.h"
#include "server/auth/admin_token.h"
#include "server/billing/tenant_status.h"
#include "server/domain/error_code.h"
#include "server/http/error_response.h"
#include "server/http/event_log.h"
#include "server/http/rate_limiter.h"
#include "server/http/report_body.h"
#include "server/report/month_close.h"
#include "server/report/usage_report.h"
#include "server/ui/customers_page.h"
#include "server/ui/detail_page.h"
#include "server/ui/home_page.h"
#include "server/ui/html.h"
#include "server/ui/month_view.h"
#include "server/ui/page.h"
#include "server/ui/report_page.h"
#include "server/ui/session_store.h"

namespace tally::server::ui {
namespace {

using Req = Request;
using Res = Response;

constexpr std::size_t kMaxTokenChars = 256;

struct Caller {
    std::string session_id;
    std::optional<std::string> tenant;  //!< nullopt: a global admin

    PageHeader header() const {
        return {tenant ? "admin of tenant " + *tenant : std::string("global admin")};
    }
};

void secure_headers(Res& res) {
    res.set_header("Content-Security-Policy", content_security_policy());
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "same-origin");
    // Reports are customer data: never kept in a shared or browser cache.
    res.set_header("Cache-Control", "no-store");
}

void send_html(Res& res, int status, const std::string& html) {
    secure_headers(res);
    res.status = status;
    res.set_content(html, "text/html; charset=utf-8");
}

void redirect(Res& res, const std::string& to) {
    secure_headers(res);
    res.status = 303;  // See Other: the browser follows a POST with a GET
    res.set_header("Location", to);
}

void send_error_page(Res& res, const Error& error, const std::optional<PageHeader>& header) {
    const int status = http_status_for(error.code);
    if (status == 500) {
        log_event("ui: internal error: " + error.code + ": " + error.message);
        send_html(res, 500,
                  message_page("Server error", "The server failed to handle the request.", header));
        return;
    }
    const char* title = status == 401   ? "Not signed in"
                        : status == 403 ? "Not allowed"
                        : status == 404 ? "Not found"
                                        : "Bad request";
    send_html(res, status, message_page(title, error.message, header));
}

std::string cookie_value(const Req& req, std::string_view name) {
    const auto header = req.get_header_value("Cookie");
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto end = header.find(';', pos);
        if (end == std::string::npos) {
            end = header.size();
        }
        auto part = std::string_view(header).substr(pos, end - pos);
        while (!part.empty() && part.front() == ' ') {
            part.remove_prefix(1);
        }
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=') {
            return std::string(part.substr(name.size() + 1));
        }
        pos = end + 1;
    }
    return {};
}

std::string session_cookie(const std::string& id, std::int64_t max_age) {
    return std::string(kSessionCookie) + "=" + id + "; Path=/; Max-Age=" + std::to_string(max_age) +
           "; Secure; HttpOnly; SameSite=Strict";
}

//! See the CSRF note at the top of this file.
bool same_origin_post(const Req& req) {
    const auto host = req.get_header_value("Host");
    if (host.empty()) {
        return false;
    }
    const std::string self = "https://" + host;
    if (req.has_header("Origin")) {
        return req.get_header_value("Origin") == self;
    }
    const auto referer = req.get_header_value("Referer");
    return referer.compare(0, self.size() + 1, self + "/") == 0;
}

//! The signed-in caller: a live session whose admin token still exists.
std::optional<Caller> signed_in(Store& store, SessionStore& sessions, const Req& req,
                                std::int64_t now) {
    const auto id = cookie_value(req, kSessionCookie);
    const auto session = sessions.touch(id, now);
    if (!session) {
        return std::nullopt;
    }
    auto token = find_usable_admin_token(store, session->token_hash, now);
    if (!token || !*token) {
        sessions.remove(id);
        return std::nullopt;
    }
    return Caller{id, (*token)->tenant};
}

const Error& not_signed_in() {
    static const Error e = make_error(
        "unauthorized", "You are not signed in, or your session has expired. Sign in again.");
    return e;
}

//! application/admin_access.h's rule, with the page's wording: a tenant admin never learns
//! whether another tenant exists.
Result<TenantSettings> tenant_access(Store& store, const Caller& caller, const std::string& tenant,
                                     std::int64_t now) {
    if (tenant.empty()) {
        return make_error("bad_request", "Choose a tenant.");
    }
    auto settings = application::tenant_access(store, {caller.tenant}, tenant, now);
    if (settings) {
        return settings;
    }
    switch (domain::code_of(settings.error())) {
        case domain::ErrorCode::forbidden:
            return make_error("forbidden", "Your admin token is for tenant '" + *caller.tenant +
                                               "'; it cannot open tenant '" + tenant + "'.");
        case domain::ErrorCode::tenant_inactive:
            return make_error("tenant_inactive", "Tenant '" + tenant + "' is inactive.");
        default:
            return settings.error();
    }
}

double monotonic_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

//! A download file name from tenant and month: only [A-Za-z0-9._-], so no header tricks.
std::string file_name(const std::string& tenant, const std::string& month) {
    std::string out = "tally-" + tenant + "-" + month;
    for (auto& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '.' && c != '-' && c != '_') {
            c = '_';
        }
    }
    return out;
}

std::string current_month(std::int64_t now) {
    return pairing::format_rfc3339(now).substr(0, 7);
}

//! The query's month, else the tenant's current month in its own zone.
Result<std::string> month_of(const Req& req, const TenantSettings& tenant, std::int64_t now) {
    if (req.params.count("month") != 0) {
        return req.get_param_value("month");
    }
    return application::local_month(tenant.time_zone, now);
}

//! A page whose month is being computed in the background: says so and reloads itself.
void send_pending(Res& res, const PageHeader& header, const std::string& tenant,
                  const std::string& month, std::int64_t waited) {
    const std::string body =
        "<h2 id=\"pending\">Computing " + html_escape(tenant) + " in " + html_escape(month) +
        "</h2><p>The month's billing is being computed (asked for " + std::to_string(waited) +
        " s ago); it takes a few seconds for a tenant of 100,000 devices. This page reloads "
        "itself every 2 seconds.</p><p><a href=\"/ui\">Back to Tally usage</a></p>";
    send_html(res, 200, page("Computing " + tenant + " " + month, body, header));
    res.set_header("Refresh", "2");
}

//! The query parameters of one table, checked (application/console_table.h).
Result<application::TableQuery> table_query(const Req& req, const std::string& prefix,
                                            const std::vector<std::string_view>& sorts) {
    return application::parse_table_query(prefix, req.get_param_value((prefix + "q").c_str()),
                                          req.get_param_value((prefix + "sort").c_str()),
                                          req.get_param_value((prefix + "dir").c_str()),
                                          req.get_param_value((prefix + "page").c_str()), sorts);
}

//! The page's own query, for links that change one parameter and keep the others.
PageLink page_link(const Req& req, const char* path, const std::vector<std::string>& names) {
    PageLink::Params params;
    for (const auto& n : names) {
        params.emplace_back(n, req.get_param_value(n.c_str()));
    }
    return PageLink(path, std::move(params));
}

//! GET /ui: the sign-in form; a global admin's Customers; a tenant admin's own tenant.
void home(Store& store, application::ReportCache& cache, SessionStore& sessions, const Clock& clock,
          const Req& req, Res& res) {
    const auto now = clock();
    const auto caller = signed_in(store, sessions, req, now);
    if (!caller) {
        send_html(res, 200, sign_in_page(std::nullopt));
        return;
    }
    // Without a month, each tenant's own current month (its time zone).
    const auto month = req.get_param_value("month");
    if (caller->tenant) {
        redirect(res, "/ui/report?tenant=" + url_encode(*caller->tenant) +
                          (month.empty() ? "" : "&month=" + url_encode(month)));
        return;
    }
    auto tenants = application::TenantAdmin(store).list({caller->tenant});
    auto query = table_query(req, "", application::customer_sorts());
    if (!tenants || !query) {
        send_error_page(res, !tenants ? tenants.error() : query.error(), caller->header());
        return;
    }
    auto customers = application::console_customers(store, cache, {caller->tenant}, month, *query,
                                                    req.get_param_value("status"), now);
    if (!customers) {
        send_error_page(res, customers.error(), caller->header());
        return;
    }
    std::vector<TenantChoice> choices;
    for (const auto& t : *tenants) {
        choices.push_back({t.name, billing::effective_status(t, now)});
    }
    const auto link = page_link(req, "/ui", {"q", "status", "sort", "dir", "page", "month"});
    send_html(res, 200,
              customers_page(caller->header(), *customers, link, *query,
                             picker_form(choices, month.empty() ? current_month(now) : month)));
    if (customers->pending > 0) {
        res.set_header("Refresh", "2");
    }
}

//! POST /ui/sign-in: an admin token becomes a session cookie.
void sign_in(Store& store, SessionStore& sessions, RateLimiter& sign_in_limit, const Clock& clock,
             const Req& req, Res& res) {
    if (!same_origin_post(req)) {
        send_error_page(res, make_error("forbidden", "Cross-site form posts are refused."),
                        std::nullopt);
        return;
    }
    if (sign_in_limit.take(req.remote_addr, monotonic_s())) {
        send_html(res, 429, sign_in_page("Too many sign-in attempts; wait a minute."));
        return;
    }
    const auto token = req.get_param_value("token");
    if (token.empty() || token.size() > kMaxTokenChars) {
        send_html(res, 401, sign_in_page("Enter an admin token."));
        return;
    }
    const auto hash = hash_admin_token(token);
    auto found = find_usable_admin_token(store, hash, clock());
    if (!found) {
        send_error_page(res, found.error(), std::nullopt);
        return;
    }
    if (!*found) {
        log_event("ui: sign-in refused (unknown admin token) from " + req.remote_addr);
        send_html(res, 401,
                  sign_in_page("That admin token is not valid. Check that you copied the "
                               "whole token (it starts with tat_) and that it has not "
                               "expired or been revoked."));
        return;
    }
    const auto id = sessions.create(hash, clock());
    log_event(
        "ui: signed in as " +
        ((*found)->tenant ? "admin of tenant " + *(*found)->tenant : std::string("global admin")) +
        " from " + req.remote_addr);
    res.set_header("Set-Cookie", session_cookie(id, SessionStore::kMaxAgeSeconds));
    redirect(res, "/ui");
}

void sign_out(SessionStore& sessions, const Req& req, Res& res) {
    if (!same_origin_post(req)) {
        send_error_page(res, make_error("forbidden", "Cross-site form posts are refused."),
                        std::nullopt);
        return;
    }
    sessions.remove(cookie_value(req, kSessionCookie));
    res.set_header("Set-Cookie", session_cookie("", 0));
    redirect(res, "/ui");
}

//! The caller and the tenant of the query, allowed (else the error page is sent).
struct Allowed {
    Caller caller;
    TenantSettings settings;
};
std::optional<Allowed> allowed(Store& store, SessionStore& sessions, std::int64_t now,
                               const Req& req, Res& res) {
    const auto caller = signed_in(store, sessions, req, now);
    if (!caller) {
        send_error_page(res, not_signed_in(), std::nullopt);
        return std::nullopt;
    }
    auto settings = tenant_access(store, *caller, req.get_param_value("tenant"), now);
    if (!settings) {
        send_error_page(res, settings.error(), caller->header());
        return std::nullopt;
    }
    return Allowed{*caller, std::move(*settings)};
}

Result<billing::TimeZone> zone_of(const application::KeptReport& report) {
    return billing::TimeZone::load(report.summary.time_zone);
}

//! GET /ui/report: the customer's month, one page of each table.
void month_page(Store& store, application::ReportCache& cache, SessionStore& sessions,
                const Clock& clock, const Req& req, Res& res) {
    const auto now = clock();
    const auto who = allowed(store, sessions, now, req, res);
    if (!who) {
        return;
    }
    const auto header = who->caller.header();
    auto devices = table_query(req, "devices_", application::device_sorts());
    auto users = table_query(req, "users_", application::user_sorts());
    if (!devices || !users) {
        send_error_page(res, !devices ? devices.error() : users.error(), header);
        return;
    }
    auto wanted = month_of(req, who->settings, now);
    auto month = wanted ? application::console_month(cache, who->settings.name, *wanted, *devices,
                                                     *users, now)
                        : Result<application::ConsoleMonth>(wanted.error());
    if (!month) {
        send_error_page(res, month.error(), header);
        return;
    }
    if (!month->report) {
        send_pending(res, header, who->settings.name, *wanted, now - month->pending_since);
        return;
    }
    auto zone = zone_of(*month->report);
    if (!zone) {
        send_error_page(res, zone.error(), header);
        return;
    }
    auto link = page_link(req, "/ui/report",
                          {"tenant", "month", "devices_q", "devices_sort", "devices_dir",
                           "devices_page", "users_q", "users_sort", "users_dir", "users_page"});
    send_html(res, 200,
              month_view(header, *month,
                         MonthParts{std::move(link), *devices, *users, {}, {}, {}, *zone}));
}

//! GET /ui/device and /ui/user of the tenant and month in the query.
void detail(Store& store, application::ReportCache& cache, SessionStore& sessions,
            const Clock& clock, const Req& req, Res& res) {
    const auto now = clock();
    const auto who = allowed(store, sessions, now, req, res);
    if (!who) {
        return;
    }
    const auto header = who->caller.header();
    const auto& tenant = who->settings.name;
    auto wanted = month_of(req, who->settings, now);
    if (!wanted) {
        send_error_page(res, wanted.error(), header);
        return;
    }
    const auto& month = *wanted;
    const std::string what = req.matches[1];
    if (what == "device") {
        auto p = application::console_device(store, cache, tenant, month, req.get_param_value("id"),
                                             now);
        if (p && !p->report) {
            send_pending(res, header, tenant, month, now - p->pending_since);
            return;
        }
        auto zone = p ? zone_of(*p->report) : Result<billing::TimeZone>(p.error());
        if (!zone) {
            send_error_page(res, zone.error(), header);
            return;
        }
        send_html(res, 200, device_page(header, *p, *zone));
        return;
    }
    auto p =
        application::console_user(store, cache, tenant, month, req.get_param_value("key"), now);
    if (p && !p->report) {
        send_pending(res, header, tenant, month, now - p->pending_since);
        return;
    }
    auto zone = p ? zone_of(*p->report) : Result<billing::TimeZone>(p.error());
    if (!zone) {
        send_error_page(res, zone.error(), header);
        return;
    }
    send_html(res, 200, user_page(header, *p, *zone));
}

//! GET /ui/usage.csv, /ui/usage.xlsx of the tenant and month in the query: the whole month,
//! streamed from a temporary file.
void download(Store& store, SessionStore& sessions, const Clock& clock, const Req& req, Res& res) {
    const auto now = clock();
    const auto who = allowed(store, sessions, now, req, res);
    if (!who) {
        return;
    }
    const auto header = who->caller.header();
    auto built = build_usage_rows(store, who->settings.name, req.get_param_value("month"), now);
    if (!built) {
        send_error_page(res, built.error(), header);
        return;
    }
    const auto& report = built->head;  // a closed month's rows stay in its snapshot
    const std::string what = req.matches[1];
    secure_headers(res);
    const auto file = file_name(report->tenant, report->month);
    // Written to a temporary file the front sends (http/report_body.h).
    const auto format = what == "usage.csv" ? UsageFormat::csv : UsageFormat::xlsx;
    auto body = usage_body_file(*report, *built->rows, format);
    if (!body) {
        send_error_page(res, body.error(), header);
        return;
    }
    res.set_header(
        "Content-Disposition",
        "attachment; filename=\"" + file + (format == UsageFormat::csv ? ".csv" : ".xlsx") + "\"");
    res.set_header("Content-Type", std::string(content_type(format)));
    res.body_file = std::move(*body);
}

//! Asks for every tenant's current and last month (its zone) in the background.
void warm_up(Store& store, application::ReportCache& cache, std::int64_t now) {
    auto tenants = application::TenantAdmin(store).list({std::nullopt});
    if (!tenants) {
        log_event("ui: warm-up skipped: " + tenants.error().message);
        return;
    }
    for (const auto& t : *tenants) {
        auto month = application::local_month(t.time_zone, now);
        if (!month) {
            log_event("ui: warm-up skipped tenant " + t.name + ": " + month.error().message);
            continue;
        }
        for (const auto& m : {*month, application::shift_month(*month, -1)}) {
            if (auto asked = cache.request(t.name, m, now); !asked) {
                log_event("ui: warm-up of " + t.name + " " + m + ": " + asked.error().message);
            }
        }
    }
}

}  // namespace

void install_ui_routes(Router& router, Store& store, Clock clock, UiOptions options) {
    auto sessions = std::make_shared<SessionStore>();
    // Tokens are 256-bit random, so this is not what keeps guessers out; it keeps a script
    // from turning the sign-in form into a SQLite load generator.
    auto sign_in_limit = std::make_shared<RateLimiter>(RateLimit{20, 1});
    // The months' billing behind the console's pages, computed in the background
    // (application/report_cache.h).
    auto cache = std::make_shared<application::ReportCache>(store, options.cache);
    if (options.warm_up) {
        warm_up(store, *cache, clock());
    }
    router.get(R"(/ui/?)", [&store, clock, sessions, cache](const Req& req, Res& res) {
        home(store, *cache, *sessions, clock, req, res);
    });
    router.post("/ui/sign-in", [&store, clock, sessions, sign_in_limit](const Req& req, Res& res) {
        sign_in(store, *sessions, *sign_in_limit, clock, req, res);
    });
    router.post("/ui/sign-out",
                [sessions](const Req& req, Res& res) { sign_out(*sessions, req, res); });
    router.get("/ui/report", [&store, clock, sessions, cache](const Req& req, Res& res) {
        month_page(store, *cache, *sessions, clock, req, res);
    });
    router.get(R"(/ui/(device|user))", [&store, clock, sessions, cache](const Req& req, Res& res) {
        detail(store, *cache, *sessions, clock, req, res);
    });
    router.get(R"(/ui/(usage\.csv|usage\.xlsx))",
               [&store, clock, sessions](const Req& req, Res& res) {
                   download(store, *sessions, clock, req, res);
               });
}

}  // namespace tally::server::ui
