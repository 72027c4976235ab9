#pragma once
// The device page and the user page of the console: one device's or one user's month (its
// billing and why, activity per day as a small chart, pairing, role, type, last seen,
// lifecycle, and the events that changed its billing), times in the tenant's zone.

#include <string>

#include "server/application/console_detail.h"
#include "server/billing/time_zone.h"
#include "server/ui/page.h"

namespace tally::server::ui {

std::string device_page(const PageHeader& header, const application::ConsoleDevicePage& device,
                        const billing::TimeZone& zone);

std::string user_page(const PageHeader& header, const application::ConsoleUserPage& user,
                      const billing::TimeZone& zone);

}  // namespace tally::server::ui
