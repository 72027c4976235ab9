#pragma once
// A customer's month (application/console_month.h) as the report page: the page's rows cut
// into a small report, rendered from its JSON like the API's (report_page.h), with the
// charts drawn from the daily activity and the 12-month trend.

#include <string>

#include "server/application/console_month.h"
#include "server/ui/page.h"
#include "server/ui/report_page.h"

namespace tally::server::ui {

//! `parts` carries the link and queries; its charts and paging are filled here.
std::string month_view(const PageHeader& header, const application::ConsoleMonth& month,
                       MonthParts parts);

}  // namespace tally::server::ui
