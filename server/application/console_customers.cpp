// The console's Customers list (see console_customers.h).

#include "server/application/console_customers.h"

#include <chrono>

#include "server/application/tenant_admin.h"
#include "server/billing/tenant_status.h"

namespace tally::server::application {
namespace {

bool less_customer(std::string_view key, const CustomerRow& a, const CustomerRow& b) {
    const auto tie = [&](auto x, auto y) { return x != y ? x < y : a.name < b.name; };
    if (key == "status") {
        return tie(a.status, b.status);
    }
    if (key == "units") {
        return tie(a.units_this_month, b.units_this_month);
    }
    if (key == "last") {
        return tie(a.units_last_month, b.units_last_month);
    }
    if (key == "change") {
        return tie(a.change(), b.change());
    }
    return tie(0, 0);  // name
}

}  // namespace

const std::vector<std::string_view>& customer_sorts() {
    static const std::vector<std::string_view> keys = {"name", "status", "units", "last", "change"};
    return keys;
}

namespace {

//! Fills the row's units from the kept totals, waiting at most until `deadline`.
Result<void> fill_units(ReportCache& cache, CustomerRow& row, std::int64_t now,
                        ReportCache::SteadyTime deadline) {
    auto this_month = cache.totals(row.name, row.month, now, deadline);
    if (!this_month) {
        return this_month.error();
    }
    auto last_month = cache.totals(row.name, row.last_month, now, deadline);
    if (!last_month) {
        return last_month.error();
    }
    row.pending = !*this_month || !*last_month;
    if (*this_month) {
        row.packages = (*this_month)->packages;
        row.units_this_month = (*this_month)->billable_units;
    }
    if (*last_month) {
        row.units_last_month = (*last_month)->billable_units;
    }
    return {};
}

}  // namespace

Result<Customers> console_customers(Store& store, ReportCache& cache, const Caller& caller,
                                    std::string_view month, const TableQuery& query,
                                    std::string_view status, std::int64_t now) {
    if (auto ok = global_only(caller); !ok) {
        return ok.error();
    }
    if (status != "" && status != "in_trial" && status != "active" && status != "inactive") {
        return make_error("bad_request", "Parameter status: must be in_trial, active or inactive.");
    }
    if (!month.empty() && !parse_month(month)) {
        return make_error("bad_request", "Parameter month: must be YYYY-MM.");
    }
    auto tenants = TenantAdmin(store).list(caller);
    if (!tenants) {
        return tenants.error();
    }
    Customers out{std::string(month), {}, {}, 0};
    for (const auto& t : *tenants) {
        CustomerRow row{
            t.name, t.time_zone, std::string(month), {}, billing::effective_status(t, now), {}, 0,
            0,      false};
        if ((!status.empty() && row.status != status) || !contains_folded(row.name, query.search)) {
            continue;
        }
        if (row.month.empty()) {
            auto local = local_month(t.time_zone, now);
            if (!local) {
                return local.error();
            }
            row.month = std::move(*local);
        }
        row.last_month = shift_month(row.month, -1);
        out.rows.push_back(std::move(row));
    }
    // Filtered by name and status first: only the listed tenants' months are asked for,
    // waited for together (one deadline for the page).
    const auto deadline = std::chrono::steady_clock::now() + cache.wait();
    for (auto& row : out.rows) {
        if (auto ok = fill_units(cache, row, now, deadline); !ok) {
            return ok.error();
        }
        out.pending += row.pending ? 1 : 0;
    }
    TableQuery sorted = query;
    sorted.search.clear();  // applied above
    out.page = page_rows(
        out.rows, sorted, [](const CustomerRow&) { return true; },
        [&](const CustomerRow& a, const CustomerRow& b) {
            return less_customer(query.sort, a, b);
        });
    out.page.total = static_cast<std::int64_t>(tenants->size());
    return out;
}

}  // namespace tally::server::application
