#pragma once
// The billing part of the Store (DESIGN.md §5): tenant policy, groups and subscriptions,
// admin device assignments and types, principal merges, the facts the billing engine reads,
// and the purge of user metadata. Store extends it; SqliteStore implements it in
// sqlite_store_billing*.cpp. User keys are made by server/billing/user_key.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_records.h"

namespace tally::server {

class BillingStore {
  public:
    virtual ~BillingStore() = default;

    //! Error not_found for an unknown tenant.
    virtual Result<TenantSettings> tenant_settings(std::string_view tenant) = 0;
    //! Writes every field but name and created_at.
    virtual Result<void> update_tenant_settings(const TenantSettings& settings) = 0;

    virtual Result<void> add_group(std::string_view tenant, std::string_view group,
                                   std::int64_t now) = 0;
    virtual Result<std::vector<GroupInfo>> list_groups(std::string_view tenant) = 0;
    //! Ends the user's current membership (if any) and starts one in `group`.
    virtual Result<void> move_user_to_group(std::string_view tenant, std::string_view group,
                                            std::string_view user_key, std::int64_t now) = 0;
    virtual Result<void> attach_subscription(std::string_view tenant, std::string_view group,
                                             std::string_view package, std::int64_t now) = 0;
    virtual Result<std::vector<SubscriptionInfo>> list_subscriptions(std::string_view tenant) = 0;

    //! nullopt clears the admin assignment (the primary user is computed again).
    virtual Result<void> assign_device_user(std::string_view device_id,
                                            const std::optional<std::string>& user_key,
                                            std::int64_t now) = 0;
    //! Dated (`now`): reports of months that ended before `now` keep the old type.
    virtual Result<void> set_device_type(std::string_view device_id, std::string_view type,
                                         std::int64_t now) = 0;
    //! The current admin assignment of each of the tenant's devices (device id, user key).
    virtual Result<std::vector<AssignmentFact>> device_assignments(std::string_view tenant) = 0;

    //! From now on `from_key` counts as `into_key` (also for past months).
    virtual Result<void> merge_users(std::string_view tenant, std::string_view from_key,
                                     std::string_view into_key, std::int64_t now) = 0;

    //! Heartbeats whose start lies in [from, to), plus every other fact of the tenant.
    virtual Result<BillingFacts> billing_facts(std::string_view tenant, std::int64_t from,
                                               std::int64_t to) = 0;

    //! billing_facts and the evidence of every device of the tenant from one snapshot, with
    //! set-based queries (a fixed number of statements; heartbeat users by one range scan per
    //! device), without holding the store's lock or connections while it reads.
    virtual Result<ReportFacts> report_facts(std::string_view tenant, std::int64_t from,
                                             std::int64_t to) = 0;

    //! Deletes the metadata of every user released (30 days without signal) at least 90
    //! days ago: principal strings are replaced by a random surrogate in every table and
    //! heartbeat bytes naming them are replaced by their SHA-256.
    virtual Result<PurgeResult> purge_users(std::int64_t now) = 0;
};

}  // namespace tally::server
