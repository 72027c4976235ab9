#pragma once
// The two pages of /ui itself: the sign-in form (no session) and, once signed in, the
// tenant and month picker.

#include <optional>
#include <string>
#include <vector>

#include "server/ui/page.h"

namespace tally::server::ui {

struct TenantChoice {
    std::string name;
    std::string status;  //!< in_trial | active | inactive
};

//! The sign-in form; `error` (plain text) is shown above it.
std::string sign_in_page(const std::optional<std::string>& error);

//! The tenant select and month input alone (a form, GET /ui/report).
std::string picker_form(const std::vector<TenantChoice>& tenants, const std::string& month);

//! Tenant select (only the tenants this admin may read) and a month input; GET /ui/report.
std::string picker_page(const PageHeader& header, const std::vector<TenantChoice>& tenants,
                        const std::string& month);

}  // namespace tally::server::ui
