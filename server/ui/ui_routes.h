#pragma once
// The admin web page at /ui (server-rendered HTML, no JavaScript, no external assets):
// sign in with an admin token, pick tenant and month, read the usage report, download it
// as CSV or XLSX. The same access rules as the admin API (server/http/admin_routes.h): a
// global token reads every tenant, a tenant token only its own, and not while inactive.
//
// Routes: GET /ui (Customers; a tenant admin is sent to its month) · POST /ui/sign-in (form
// field `token`) · POST /ui/sign-out · GET /ui/report?tenant=T&month=YYYY-MM (+ table
// parameters) · GET /ui/device?…&id= · GET /ui/user?…&key= ·
// GET /ui/usage.csv|usage.xlsx?tenant=T&month=M. See README.md.

#include "server/application/report_cache.h"
#include "server/front/router.h"
#include "server/http/routes.h"
#include "server/store/store.h"

namespace tally::server::ui {

//! Cookie that carries the session id (the __Host- prefix: Secure, Path=/, no Domain).
inline constexpr const char* kSessionCookie = "__Host-tally_session";

struct UiOptions {
    application::ReportCacheOptions cache;
    //! At install, ask for every tenant's current and last month in the background, so the
    //! first views after a start find them computed (the bench turns it off to measure cold).
    bool warm_up = true;
};

//! `store` must outlive the router (the console's background thread reads it until the
//! router's routes are destroyed); sessions live in memory (a restart signs everyone out).
void install_ui_routes(Router& router, Store& store, Clock clock, UiOptions options = {});

}  // namespace tally::server::ui
