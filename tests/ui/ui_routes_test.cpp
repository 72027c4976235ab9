// Every /ui route and every parameter it reads, through the real Router and handlers in
// process (ui_routes.cpp) over a small fleet in a real SQLite store: a hostile value in any
// parameter is refused with a message naming it or shown as inert text, never raw HTML, and
// never a 500; every state-changing route is a POST that refuses another origin (CSRF), and
// no page or download answers a POST. A month not computed yet is a "pending" page that
// reloads itself, and becomes the real page once the background thread is done.

#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/console/console_fleet.h"
#include "pairing/time_format.h"
#include "server/billing/user_key.h"
#include "server/front/router.h"
#include "server/store/sqlite_store.h"
#include "server/ui/ui_routes.h"

using namespace tally;
using namespace tally::server;

namespace {

const std::string kEvil = "<script>x</script>\"'>";

struct Answer {
    int status = 0;
    std::string body;
    std::multimap<std::string, std::string> headers;
    bool has(const std::string& name) const { return headers.count(name) != 0; }
};

struct Console {
    std::filesystem::path dir;
    std::unique_ptr<SqliteStore> store;
    std::string token;
    std::int64_t now = pairing::month_range_utc("2026-11")->first + 20 * 86400;
    std::unique_ptr<Router> router = std::make_unique<Router>();
    std::string cookie;

    explicit Console(std::chrono::milliseconds wait) {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "tally-ui-routes-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        auto opened = SqliteStore::open((dir / "tally.db").string());
        REQUIRE(opened);
        store = std::move(*opened);
        bench::ConsoleFleetOptions o;
        o.devices = 30;
        o.month_start = pairing::month_range_utc("2026-11")->first;
        o.threads = 2;
        token = bench::build_console_fleet(*store, o);
        ui::UiOptions options;
        options.warm_up = false;
        options.cache.wait = wait;
        const auto t = now;
        ui::install_ui_routes(
            *router, *store, [t] { return t; }, options);
        const auto in = call("POST", "/ui/sign-in", {{"token", token}}, "https://ui.invalid");
        REQUIRE(in.status == 303);
        const auto set = in.headers.find("Set-Cookie");
        REQUIRE(set != in.headers.end());
        cookie = set->second.substr(0, set->second.find(';'));
    }
    ~Console() {
        router.reset();  // stops the console's background thread before the store goes
        store.reset();
        std::filesystem::remove_all(dir);
    }

    Answer call(const std::string& method, const std::string& path,
                const std::vector<std::pair<std::string, std::string>>& params,
                const std::string& origin = "") const {
        Request req;
        req.method = method;
        req.path = path;
        req.remote_addr = "127.0.0.1";
        for (const auto& [k, v] : params) {
            req.params.emplace(k, v);
        }
        req.headers.emplace("Host", "ui.invalid");
        if (!origin.empty()) {
            req.headers.emplace("Origin", origin);
        }
        if (!cookie.empty()) {
            req.headers.emplace("Cookie", cookie);
        }
        Response res;
        auto found = router->find(method, path);
        if (!found.handler) {
            return {found.status, {}, {}};
        }
        req.matches = found.matches;
        router->handle(found, req, res);
        Answer a{res.status, res.body, {}};
        for (const auto& [k, v] : res.headers) {
            a.headers.emplace(k, v);
        }
        return a;
    }
};

struct Route {
    std::string path;
    std::vector<std::pair<std::string, std::string>> params;  //!< valid values
    std::vector<std::string> named;  //!< parameters a bad value of which is a 400 naming them
};

std::vector<Route> routes() {
    const auto user = billing::user_key("user3@vendor.example", false, "");
    return {
        {"/ui",
         {{"month", "2026-11"},
          {"q", "v"},
          {"status", "active"},
          {"sort", "units"},
          {"dir", "desc"},
          {"page", "1"}},
         {"month", "status", "sort", "dir", "page"}},
        {"/ui/report",
         {{"tenant", "vendor"},
          {"month", "2026-11"},
          {"devices_q", "host"},
          {"devices_sort", "package"},
          {"devices_dir", "asc"},
          {"devices_page", "1"},
          {"users_q", "user"},
          {"users_sort", "group"},
          {"users_dir", "desc"},
          {"users_page", "1"}},
         {"month", "devices_sort", "devices_dir", "devices_page", "users_sort", "users_dir",
          "users_page"}},
        {"/ui/device",
         {{"tenant", "vendor"}, {"month", "2026-11"}, {"id", "dev-0000003"}},
         {"month"}},
        {"/ui/user", {{"tenant", "vendor"}, {"month", "2026-11"}, {"key", user}}, {"month"}},
        {"/ui/usage.csv", {{"tenant", "vendor"}, {"month", "2026-11"}}, {}},
        {"/ui/usage.xlsx", {{"tenant", "vendor"}, {"month", "2026-11"}}, {}},
    };
}

void check_inert(const Answer& a, const std::string& what) {
    INFO(what << " → " << a.status << ": " << a.body.substr(0, 300));
    CHECK(a.status != 500);
    CHECK(a.body.find("<script>x") == std::string::npos);
    CHECK(a.body.find("\"'>") == std::string::npos);
    CHECK_FALSE(a.has("Refresh"));  // waited for: the real page, not the pending one
}

}  // namespace

TEST_CASE("ui routes: every page and parameter, valid and hostile") {
    const Console c(std::chrono::seconds(60));
    for (const auto& route : routes()) {
        const auto ok = c.call("GET", route.path, route.params);
        INFO(route.path);
        CHECK(ok.status == 200);
        check_inert(ok, route.path);
        for (std::size_t i = 0; i < route.params.size(); ++i) {
            auto params = route.params;
            params[i].second = kEvil;
            const auto& name = params[i].first;
            const auto a = c.call("GET", route.path, params);
            check_inert(a, route.path + " " + name);
            const bool named =
                std::find(route.named.begin(), route.named.end(), name) != route.named.end();
            if (named) {
                CHECK(a.status == 400);
                CHECK(a.body.find("Parameter " + name) != std::string::npos);
            } else {
                // A search matches nothing; a tenant, device or user is not found.
                CHECK((a.status == 200 || a.status == 400 || a.status == 404));
            }
        }
    }
    // The sign-in form's only field: a hostile token is refused, never echoed.
    const auto bad_token = c.call("POST", "/ui/sign-in", {{"token", kEvil}}, "https://ui.invalid");
    CHECK(bad_token.status == 401);
    check_inert(bad_token, "sign-in token");
}

TEST_CASE("ui routes: CSRF, only sign-in and sign-out take a POST, both same-origin only") {
    const Console c(std::chrono::seconds(60));
    for (const auto* path : {"/ui/sign-in", "/ui/sign-out"}) {
        for (const auto* origin : {"https://evil.example", "null", "http://ui.invalid"}) {
            const auto a = c.call("POST", path, {{"token", c.token}}, origin);
            INFO(path << " from " << origin);
            CHECK(a.status == 403);
            CHECK_FALSE(a.has("Set-Cookie"));
        }
    }
    for (const auto& route : routes()) {
        const auto found = c.router->find("POST", route.path);
        INFO(route.path);
        CHECK(found.handler == nullptr);
        CHECK((found.status == 404 || found.status == 405));
    }
    // The session still works: the refused sign-out did not end it.
    CHECK(c.call("GET", "/ui", {}).status == 200);
}

TEST_CASE("ui routes: a month not computed yet is a pending page, then the real one") {
    const Console c(std::chrono::milliseconds(0));
    const std::vector<std::pair<std::string, std::string>> month = {{"tenant", "vendor"},
                                                                    {"month", "2026-11"}};
    const auto first = c.call("GET", "/ui/report", month);
    CHECK(first.status == 200);
    CHECK(first.has("Refresh"));
    CHECK(first.body.find("id=\"pending\"") != std::string::npos);
    CHECK(first.headers.find("Cache-Control")->second == "no-store");
    Answer page;
    for (int i = 0; i < 1500; ++i) {  // the 30-device month takes milliseconds
        page = c.call("GET", "/ui/report", month);
        if (!page.has("Refresh")) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK_FALSE(page.has("Refresh"));
    CHECK(page.body.find("id=\"devices\"") != std::string::npos);
    // Without a month: the tenant's current month (UTC here).
    const auto own = c.call("GET", "/ui/report", {{"tenant", "vendor"}});
    CHECK(own.status == 200);
    CHECK(own.body.find("2026-11") != std::string::npos);
}
