#pragma once
// The Customers page (global admin): every tenant with its status, package mix and billable
// units this month and last month and the change; a filter by name and status, sortable
// headings, a pager, and the month picker to open any tenant's month.

#include <string>

#include "server/application/console_customers.h"
#include "server/ui/page.h"
#include "server/ui/table_controls.h"

namespace tally::server::ui {

//! `link`: /ui with the page's query (q, status, sort, dir, page). `picker`: the month
//! picker form (home_page.h), shown below the list.
std::string customers_page(const PageHeader& header, const application::Customers& customers,
                           const PageLink& link, const application::TableQuery& query,
                           const std::string& picker);

}  // namespace tally::server::ui
