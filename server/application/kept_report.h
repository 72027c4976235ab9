#pragma once
// A month's usage report as the console keeps it (report_cache.h): the summary, users and
// late heartbeats as built, and each device as a compact row holding only what the console
// renders or sorts by (~1/3 of the report's row). A page's rows are expanded back to report
// rows (`expand`), so the page is still rendered from the report's own JSON.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/report/usage_report.h"

namespace tally::server::application {

struct KeptDevice {
    std::string id;
    std::string hostname;
    std::string paired_user;
    std::string covered_by;
    std::string explanation;
    std::string users;  //!< principals with active minutes on it, '\n' between them
    std::optional<std::int64_t> last_seen;
    std::optional<std::int64_t> retired_at;
    std::optional<std::int64_t> billing_last_seen;
    std::uint64_t last_seq = 0;
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::int64_t heartbeats = 0;
    std::int64_t billing_minutes = 0;
    std::int64_t billing_days = 0;
    std::int64_t inactive_span_heartbeats = 0;
    std::uint64_t gap_seqs = 0;
    std::uint64_t lost_by_server = 0;
    std::uint64_t forks = 0;
    std::uint64_t chain_breaks = 0;
    std::uint64_t held = 0;
    std::uint32_t type = 0;  //!< device_type, into KeptReport::words
    std::uint32_t role = 0;
    std::uint32_t package = 0;
    std::uint32_t paired_by = 0;
    billing::BilledAs billed_as = billing::BilledAs::kNotActive;
    billing::Coverage coverage = billing::Coverage::kNone;
    bool active = false;
    bool suspected_clone = false;
    bool revoked = false;
    bool trust_on_first_use = false;
};

struct KeptReport {
    std::string tenant;
    std::string month;
    std::int64_t generated_at = 0;
    UsageSummary summary;
    std::vector<KeptDevice> devices;
    std::vector<billing::UserBilling> users;
    std::vector<LateHeartbeat> late;
    std::vector<std::string> words;  //!< device types, roles, packages, paired-by values

    const std::string& word(std::uint32_t i) const { return words[i]; }
    //! The device's report row, with every field the report's JSON, the console's pages and
    //! its sorting read (not the public key, fingerprint, OS, pairing time or user keys).
    DeviceReportRow expand(const KeptDevice& d) const;
};

KeptReport keep_report(UsageReport report);
//! Approximate heap bytes of a kept report (its rows and their strings).
std::size_t approx_bytes(const KeptReport& report);
//! The same for a whole report, for comparison (bench/console).
std::size_t approx_bytes(const UsageReport& report);

}  // namespace tally::server::application
