#pragma once
// What the billing engine and the usage report read (DESIGN.md §5).
// One of the narrow store interfaces (store.h lists them); SqliteStore implements them all
// and callers take only the one they need. Implementations are safe to call from several
// threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_records.h"
#include "server/store/records.h"

namespace tally::server {

class BillingReadStore {
  public:
    virtual ~BillingReadStore() = default;

    //! Heartbeats whose start lies in [from, to), plus every other fact of the tenant.
    virtual Result<BillingFacts> billing_facts(std::string_view tenant, std::int64_t from,
                                               std::int64_t to) = 0;
    //! billing_facts and the evidence of every device of the tenant from one snapshot, with
    //! set-based queries (a fixed number of statements; heartbeat users by one range scan per
    //! device), without holding the store's lock or connections while it reads.
    virtual Result<ReportFacts> report_facts(std::string_view tenant, std::int64_t from,
                                             std::int64_t to) = 0;
    //! report_facts for a usage report of one month, facts from w.read_from to w.to: with
    //! w.coarse, each device no billing cut splits inside [w.from, w.to) is ONE whole-month
    //! fact from the month rollups (month_facts.h) instead of its hourly buckets; the billing
    //! engine's answer is the same. This default reads the buckets (report_facts).
    virtual Result<ReportFacts> month_report_facts(std::string_view tenant, const MonthWindow& w) {
        return report_facts(tenant, w.read_from, w.to);
    }
    //! Aggregates heartbeats whose start lies in [from, to) for the tenant's devices.
    virtual Result<UsageData> usage(std::string_view tenant, std::int64_t from,
                                    std::int64_t to) = 0;
};

}  // namespace tally::server
