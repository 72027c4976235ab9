// The console's Customers list (see console_customers.h).

#include "server/application/console_customers.h"

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

Result<Customers> console_customers(Store& store, ReportCache& cache, const Caller& caller,
                                    std::string_view month, const TableQuery& query,
                                    std::string_view status, std::int64_t now) {
    if (auto ok = global_only(caller); !ok) {
        return ok.error();
    }
    if (status != "" && status != "in_trial" && status != "active" && status != "inactive") {
        return make_error("bad_request", "Parameter status: must be in_trial, active or inactive.");
    }
    if (!parse_month(month)) {
        return make_error("bad_request", "Parameter month: must be YYYY-MM.");
    }
    auto tenants = TenantAdmin(store).list(caller);
    if (!tenants) {
        return tenants.error();
    }
    Customers out{std::string(month), shift_month(month, -1), {}, {}};
    for (const auto& t : *tenants) {
        CustomerRow row{t.name, billing::effective_status(t, now), {}, 0, 0};
        if ((!status.empty() && row.status != status) || !contains_folded(row.name, query.search)) {
            continue;
        }
        out.rows.push_back(std::move(row));
    }
    // Filtered by name and status first: only the listed tenants' months are computed.
    for (auto& row : out.rows) {
        auto now_units = cache.totals(store, row.name, out.month, now);
        if (!now_units) {
            return now_units.error();
        }
        auto last_units = cache.totals(store, row.name, out.last_month, now);
        if (!last_units) {
            return last_units.error();
        }
        row.packages = now_units->packages;
        row.units_this_month = now_units->billable_units;
        row.units_last_month = last_units->billable_units;
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
