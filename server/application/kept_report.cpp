// The console's compact month (see kept_report.h).

#include "server/application/kept_report.h"

#include <map>

namespace tally::server::application {
namespace {

std::size_t heap(const std::string& s) {
    // libstdc++ keeps up to 15 characters inside the object.
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

std::size_t heap(const std::vector<std::string>& v) {
    std::size_t n = v.capacity() * sizeof(std::string);
    for (const auto& s : v) {
        n += heap(s);
    }
    return n;
}

std::size_t users_bytes(const std::vector<billing::UserBilling>& users) {
    std::size_t n = users.capacity() * sizeof(billing::UserBilling);
    for (const auto& u : users) {
        n += heap(u.key) + heap(u.principal) + heap(u.device_id) + heap(u.group) + heap(u.package) +
             heap(u.devices) + heap(u.devices_paired);
    }
    return n;
}

std::size_t late_bytes(const std::vector<LateHeartbeat>& late) {
    std::size_t n = late.capacity() * sizeof(LateHeartbeat);
    for (const auto& l : late) {
        n += heap(l.device_id) + heap(l.hostname) + heap(l.users);
    }
    return n;
}

std::size_t row_bytes(const DeviceReportRow& d) {
    const auto& dev = d.usage.device;
    const auto& b = d.billing;
    return heap(dev.id) + heap(dev.tenant) + heap(dev.public_key) + heap(dev.facts.hostname) +
           heap(dev.facts.os) + heap(dev.facts.os_version) + heap(dev.facts.agent_version) +
           heap(dev.facts.device_type) + heap(dev.facts.role) + heap(dev.facts.fingerprint) +
           heap(d.usage.users) + heap(b.device_id) + heap(b.users) + heap(b.paired_user) +
           heap(b.paired_user_key) + heap(b.paired_by) + heap(b.package) + heap(b.covered_by) +
           heap(b.covered_by_key) + heap(d.explanation);
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : "\n") + s;
    }
    return out;
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from < s.size()) {
        auto to = s.find('\n', from);
        if (to == std::string::npos) {
            to = s.size();
        }
        out.push_back(s.substr(from, to - from));
        from = to + 1;
    }
    return out;
}

class Words {
  public:
    explicit Words(std::vector<std::string>& words) : words_(words) {}
    std::uint32_t operator()(const std::string& w) {
        const auto [it, added] = index_.emplace(w, static_cast<std::uint32_t>(words_.size()));
        if (added) {
            words_.push_back(w);
        }
        return it->second;
    }

  private:
    std::vector<std::string>& words_;
    std::map<std::string, std::uint32_t> index_;
};

KeptDevice kept_device(DeviceReportRow& row, Words& words) {
    auto& d = row.usage.device;
    auto& b = row.billing;
    const auto& e = row.usage.evidence;
    KeptDevice k;
    k.id = std::move(d.id);
    k.hostname = std::move(d.facts.hostname);
    k.paired_user = std::move(b.paired_user);
    k.covered_by = std::move(b.covered_by);
    k.explanation = std::move(row.explanation);
    k.users = joined(row.usage.users);
    k.last_seen = d.last_seen;
    k.retired_at = d.retired_at;
    k.billing_last_seen = b.last_seen;
    k.last_seq = d.last_seq;
    k.active_minutes = row.usage.active_minutes;
    k.active_days = row.usage.active_days;
    k.heartbeats = row.usage.heartbeats;
    k.billing_minutes = b.active_minutes;
    k.billing_days = b.active_days;
    k.inactive_span_heartbeats = row.inactive_span_heartbeats;
    k.gap_seqs = e.gap_seqs;
    k.lost_by_server = e.lost_by_server;
    k.forks = e.forks;
    k.chain_breaks = e.chain_breaks;
    k.held = e.held;
    k.type = words(d.facts.device_type);
    k.role = words(d.facts.role);
    k.package = words(b.package);
    k.paired_by = words(b.paired_by);
    k.billed_as = b.billed_as;
    k.coverage = b.coverage;
    k.active = row.active;
    k.suspected_clone = d.suspected_clone;
    k.revoked = e.revoked;
    k.trust_on_first_use = e.trust_on_first_use;
    k.hostname.shrink_to_fit();
    k.explanation.shrink_to_fit();
    return k;
}

}  // namespace

DeviceReportRow KeptReport::expand(const KeptDevice& k) const {
    DeviceReportRow row;
    auto& d = row.usage.device;
    auto& b = row.billing;
    auto& e = row.usage.evidence;
    d.id = k.id;
    d.tenant = tenant;
    d.facts.hostname = k.hostname;
    d.facts.device_type = word(k.type);
    d.facts.role = word(k.role);
    d.last_seen = k.last_seen;
    d.retired_at = k.retired_at;
    d.last_seq = k.last_seq;
    d.suspected_clone = k.suspected_clone;
    row.usage.active_minutes = k.active_minutes;
    row.usage.active_days = k.active_days;
    row.usage.heartbeats = k.heartbeats;
    row.usage.users = split(k.users);
    e.gap_seqs = k.gap_seqs;
    e.lost_by_server = k.lost_by_server;
    e.forks = k.forks;
    e.chain_breaks = k.chain_breaks;
    e.held = k.held;
    e.revoked = k.revoked;
    e.trust_on_first_use = k.trust_on_first_use;
    row.active = k.active;
    row.inactive_span_heartbeats = k.inactive_span_heartbeats;
    row.explanation = k.explanation;
    b.device_id = k.id;
    b.active = k.active;
    b.active_minutes = k.billing_minutes;
    b.active_days = k.billing_days;
    b.last_seen = k.billing_last_seen;
    b.users = row.usage.users;
    b.paired_user = k.paired_user;
    b.paired_by = word(k.paired_by);
    b.billed_as = k.billed_as;
    b.package = word(k.package);
    b.coverage = k.coverage;
    b.covered_by = k.covered_by;
    b.retired_at = k.retired_at;
    return row;
}

KeptReport keep_report(UsageReport report) {
    KeptReport out;
    out.tenant = std::move(report.tenant);
    out.month = std::move(report.month);
    out.generated_at = report.generated_at;
    out.summary = std::move(report.summary);
    out.users = std::move(report.users);
    out.late = std::move(report.late);
    Words words(out.words);
    out.devices.reserve(report.devices.size());
    for (auto& row : report.devices) {
        out.devices.push_back(kept_device(row, words));
    }
    for (auto& u : out.users) {
        u.devices.shrink_to_fit();
        u.devices_paired.shrink_to_fit();
    }
    out.users.shrink_to_fit();
    out.late.shrink_to_fit();
    return out;
}

std::size_t approx_bytes(const KeptReport& report) {
    std::size_t n = sizeof(KeptReport) + report.devices.capacity() * sizeof(KeptDevice) +
                    users_bytes(report.users) + late_bytes(report.late) + heap(report.words);
    for (const auto& d : report.devices) {
        n += heap(d.id) + heap(d.hostname) + heap(d.paired_user) + heap(d.covered_by) +
             heap(d.explanation) + heap(d.users);
    }
    return n;
}

std::size_t approx_bytes(const UsageReport& report) {
    std::size_t n = sizeof(UsageReport) + report.devices.capacity() * sizeof(DeviceReportRow) +
                    users_bytes(report.users) + late_bytes(report.late);
    for (const auto& d : report.devices) {
        n += row_bytes(d);
    }
    return n;
}

}  // namespace tally::server::application
