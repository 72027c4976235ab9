// The admin API's request reading (RequestFields: the 400 names the field) and the global
// admin's use cases over HTTPS: admin tokens (the same TokenAdmin as the CLI) and purge.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "live_server.h"
#include "server/application/purge_run.h"
#include "server/application/token_admin.h"
#include "server/auth/admin_token.h"
#include "server/http/request_fields.h"

using namespace tally::server;
using namespace tally::server::test;
using application::Caller;
using application::TokenAdmin;
using application::TokenState;
using nlohmann::json;

namespace {

Request with_body(std::string body) {
    Request req;
    req.method = "POST";
    req.body = std::move(body);
    return req;
}

httplib::Result post_json(const LiveServer& live, const std::string& path, const json& body,
                          const std::string& token) {
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    return live.client()->Post(path.c_str(), headers, body.dump(), "application/json");
}

std::string message(const httplib::Result& res) {
    REQUIRE(res);
    return json::parse(res->body).value("message", "");
}

}  // namespace

TEST_CASE("request fields: typed getters, and the 400 names the first bad field", "[admin_api]") {
    RequestFields ok(with_body(R"({"name":"acme","grace_hours":48,"time_zone":"UTC",)"
                               R"("principal":null})"));
    CHECK(ok.required("name") == "acme");
    CHECK_FALSE(ok.optional("principal"));  // null: cleared
    CHECK_FALSE(ok.optional("absent"));
    const auto options = ok.policy_options();
    CHECK(options.at("grace-hours") == "48");
    CHECK(options.at("time-zone") == "UTC");
    CHECK(ok.check().ok());

    RequestFields bad(with_body(R"({"group":"","package":7,"grace_hours":"2"})"));
    CHECK(bad.required("group").empty());
    bad.required("package");
    bad.policy_options();
    REQUIRE_FALSE(bad.check().ok());
    CHECK(bad.check().error().code == "bad_request");
    CHECK(bad.check().error().message == "field 'group' must be a non-empty string");

    RequestFields missing(with_body("{}"));
    missing.required("into");
    CHECK(missing.check().error().message == "field 'into' must be a non-empty string");
    RequestFields grace(with_body(R"({"grace_hours":"2"})"));
    grace.policy_options();
    CHECK(grace.check().error().message == "field 'grace_hours' must be an integer");
    RequestFields long_field(with_body(json{{"name", std::string(257, 'x')}}.dump()));
    long_field.required("name");
    CHECK_FALSE(long_field.check().ok());

    for (const char* body : {"[1,2]", "not json", "\"text\""}) {
        RequestFields not_object(with_body(body));
        not_object.optional("name");
        CHECK(not_object.check().error().message == "the body must be a JSON object");
    }
    CHECK(RequestFields(with_body("")).check().ok());  // an empty body is {}
}

TEST_CASE("token admin: global admins only; shown once, listed with a state, revoked",
          "[admin_api][application]") {
    ServerFixture f;
    TokenAdmin admin(*f.store);
    const Caller acme{std::string("acme")};
    CHECK(admin.create(acme, {}, kNow).error().code == "forbidden");
    CHECK(admin.list(acme, kNow).error().code == "forbidden");
    CHECK(admin.revoke(acme, "0123456789ab", kNow).error().code == "forbidden");
    CHECK(admin.create(Caller::global(), {std::nullopt, "", "90"}, kNow).error().code ==
          "bad_request");
    CHECK(admin.create(Caller::global(), {std::nullopt, std::string(129, 'n'), "1d"}, kNow)
              .error()
              .code == "bad_request");
    CHECK(admin.create(Caller::global(), {std::string("nope"), "", "1d"}, kNow).error().code ==
          "not_found");

    auto portal = admin.create(Caller::global(), {std::string("acme"), "portal", "1d"}, kNow);
    REQUIRE(portal.ok());
    CHECK(portal->token.rfind("tat_", 0) == 0);
    CHECK(portal->id == hash_admin_token(portal->token).substr(0, 12));
    CHECK(portal->expires_at == kNow + 86400);
    auto usable = find_usable_admin_token(*f.store, hash_admin_token(portal->token), kNow);
    REQUIRE(usable.ok());
    REQUIRE(usable->has_value());
    CHECK((*usable)->tenant == std::optional<std::string>("acme"));

    auto listed = admin.list(Caller::global(), kNow);
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    CHECK((*listed)[0].info.name == "portal");
    CHECK((*listed)[0].state == TokenState::active);
    CHECK(admin.list(Caller::global(), kNow + 86400)->at(0).state == TokenState::expired);
    REQUIRE(admin.revoke(Caller::global(), portal->id, kNow + 5).ok());
    CHECK(admin.list(Caller::global(), kNow)->at(0).state == TokenState::revoked);
    CHECK(admin.revoke(Caller::global(), "0123456789ab", kNow).error().code == "not_found");
}

TEST_CASE("purge run: a tenant admin may not purge, a global admin may",
          "[admin_api][application]") {
    ServerFixture f;
    application::PurgeRun purge(*f.store);
    CHECK(purge.run(Caller{std::string("acme")}, kNow).error().code == "forbidden");
    auto done = purge.run(Caller::global(), kNow);
    REQUIRE(done.ok());
    CHECK(done->users_purged == 0);
}

TEST_CASE("HTTPS: admin tokens are created, listed and revoked by a global token only",
          "[admin_api][http]") {
    LiveServer live;
    const auto global = generate_admin_token();
    const auto acme = generate_admin_token();
    REQUIRE(live.f.store->add_admin_token(hash_admin_token(global), std::nullopt, 0).ok());
    REQUIRE(live.f.store->add_admin_token(hash_admin_token(acme), "acme", 0).ok());

    auto refused = post_json(live, "/v1/admin-tokens", {{"tenant", "acme"}}, acme);
    REQUIRE(refused);
    CHECK(refused->status == 403);
    CHECK(live.get("/v1/admin-tokens", acme)->status == 403);
    CHECK(live.get("/v1/admin-tokens", "")->status == 401);
    auto bad = post_json(live, "/v1/admin-tokens", {{"expires", "soon"}}, global);
    CHECK(bad->status == 400);
    CHECK(message(bad) == "expires must be a duration such as 90d or 12h");
    auto unnamed = post_json(live, "/v1/admin-tokens", {{"name", 5}}, global);
    CHECK(unnamed->status == 400);
    CHECK(message(unnamed) == "field 'name' must be a non-empty string");

    auto made = post_json(live, "/v1/admin-tokens",
                          {{"tenant", "acme"}, {"name", "portal"}, {"expires", "12h"}}, global);
    REQUIRE(made);
    REQUIRE(made->status == 200);
    const auto doc = json::parse(made->body);
    const auto token = doc.at("token").get<std::string>();
    const auto id = doc.at("id").get<std::string>();
    CHECK(doc.at("tenant") == "acme");
    CHECK(live.get("/v1/tenants/acme", token)->status == 200);  // the new token works

    auto listed = live.get("/v1/admin-tokens", global);
    REQUIRE(listed->status == 200);
    CHECK(listed->body.find(token) == std::string::npos);  // shown once, never listed
    const auto rows = json::parse(listed->body);
    REQUIRE(rows.size() == 3);
    const auto portal =
        std::find_if(rows.begin(), rows.end(), [&](const json& r) { return r.at("id") == id; });
    REQUIRE(portal != rows.end());
    CHECK(portal->at("name") == "portal");
    CHECK(portal->at("state") == "active");

    auto revoked = post_json(live, "/v1/admin-tokens/" + id + "/revoke", json::object(), global);
    REQUIRE(revoked);
    CHECK(revoked->status == 200);
    CHECK(live.get("/v1/tenants/acme", token)->status == 401);  // at once
    auto unknown = post_json(live, "/v1/admin-tokens/0123456789ab/revoke", json::object(), global);
    CHECK(unknown->status == 404);
    auto purge = post_json(live, "/v1/purge", json::object(), acme);
    CHECK(purge->status == 403);
}
