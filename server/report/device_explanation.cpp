// Device explanations (see device_explanation.h).

#include "server/report/device_explanation.h"

#include "pairing/time_format.h"

namespace tally::server {
namespace {

using billing::BilledAs;
using billing::Coverage;

std::string list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out;
}

//! Why its primary user's license does not cover it ("" when it has none).
std::string primary_note(const billing::DeviceBilling& d) {
    if (d.paired_user.empty()) {
        return "it has no primary user";
    }
    return "its primary user " + d.paired_user +
           (d.primary_user_active ? " has no allowance left" : " is not active this month");
}

std::string coverage_text(const billing::DeviceBilling& d) {
    switch (d.billed_as) {
        case BilledAs::kUserCovered:
            if (d.coverage == Coverage::kPrimaryUser && d.covered_by_key == d.paired_user_key) {
                return "covered by the license of " + d.covered_by + ", its primary user (" +
                       (d.paired_by == "admin" ? "assigned by an admin"
                                               : "most active over the trailing 30 days") +
                       ")";
            }
            return "covered by the license of " + d.covered_by + ", active on it this month; " +
                   primary_note(d);
        case BilledAs::kStandalone:
            return "standalone: active with no user active on it this month, so it needs its "
                   "own license";
        case BilledAs::kOverflow:
            return "standalone (overflow): every user active on it (" + list(d.users) +
                   ") has used the allowance of one business and two personal devices";
        case BilledAs::kRetired:
            return "retired before any activity this month: not billed";
        case BilledAs::kNotActive:
            break;
    }
    return "not active this month: not billed";
}

}  // namespace

std::string explain_device(const billing::DeviceBilling& d, std::int64_t inactive_span_heartbeats) {
    std::string text;
    if (d.retired_at) {
        text = "retired on " + pairing::format_rfc3339(*d.retired_at) +
               (d.active ? ", activity before it counts; " : "; ");
    }
    text += coverage_text(d);
    if (inactive_span_heartbeats > 0) {
        text += "; " + std::to_string(inactive_span_heartbeats) +
                " heartbeat(s) sent while the tenant was inactive are kept as evidence, not "
                "billed";
    }
    return text;
}

}  // namespace tally::server
