#pragma once
// The admin HTTP API (DESIGN.md §6): tenants, groups, subscriptions, devices, users, usage
// reports (JSON, CSV, XLSX) and purge, behind `Authorization: Bearer <admin token>`.
// A global token may do everything; a tenant token only reads and edits its own tenant
// (never another's: 403 forbidden), cannot create tenants, change their status or purge,
// and is refused while its tenant is inactive (403 tenant_inactive). Routes are listed in
// server/report/REPORT.md.

#include "server/front/router.h"
#include "server/http/routes.h"
#include "server/store/store.h"

namespace tally::server {

void install_admin_routes(Router& router, Store& store, Clock clock);

}  // namespace tally::server
