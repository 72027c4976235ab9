// tally-bench-scale-snapshot: a closed month's snapshot made K times larger in rows, for the
// closed-month report figures at a fleet size whose state takes too long to build here. The
// month's snapshot (made by the first report after the close) is decoded; each device and user
// row is repeated K times, the copies' text ids suffixed "-1" … "-(K-1)" (device ids,
// hostnames, user keys and principals, the users a row names) so every row stays distinct;
// the head's counts are multiplied; the result replaces the snapshot's body. What a closed
// month's report reads and writes depends on its rows, not on the heartbeats behind them
// (bench/README.md), so a 10,000-device month × 10 reads as a 100,000-device one would.
//
//   tally-bench-scale-snapshot --data-dir DIR --tenant NAME --month YYYY-MM --times K

#include <iostream>
#include <string>

#include "server/report/month_snapshot_codec.h"
#include "server/store/open_store.h"

using namespace tally::server;

namespace {

void suffix(std::string& s, const std::string& tag) {
    if (!s.empty()) {
        s += tag;
    }
}

void suffix_all(std::vector<std::string>& list, const std::string& tag) {
    for (auto& s : list) {
        suffix(s, tag);
    }
}

UsageReport scaled(const UsageReport& one, int times) {
    UsageReport out = one;
    for (int k = 1; k < times; ++k) {
        const auto tag = "-" + std::to_string(k);
        for (auto row : one.devices) {
            suffix(row.usage.device.id, tag);
            suffix(row.usage.device.facts.hostname, tag);
            suffix_all(row.usage.users, tag);
            suffix(row.billing.device_id, tag);
            suffix_all(row.billing.users, tag);
            suffix(row.billing.paired_user, tag);
            suffix(row.billing.paired_user_key, tag);
            suffix(row.billing.covered_by, tag);
            suffix(row.billing.covered_by_key, tag);
            out.devices.push_back(std::move(row));
        }
        for (auto user : one.users) {
            suffix(user.key, tag);
            suffix(user.principal, tag);
            suffix(user.device_id, tag);
            suffix_all(user.devices, tag);
            suffix_all(user.devices_paired, tag);
            out.users.push_back(std::move(user));
        }
    }
    auto& s = out.summary;
    s.active_devices *= times;
    s.active_users *= times;
    s.standalone_devices *= times;
    s.overflow_devices *= times;
    s.billable_units *= times;
    s.reported_units *= times;
    for (auto& p : s.packages) {
        p.active_users *= times;
        p.standalone_devices *= times;
        p.billable_units *= times;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir, tenant, month;
    int times = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        if (k == "--data-dir") {
            dir = argv[i + 1];
        } else if (k == "--tenant") {
            tenant = argv[i + 1];
        } else if (k == "--month") {
            month = argv[i + 1];
        } else if (k == "--times") {
            times = std::stoi(argv[i + 1]);
        }
    }
    if (dir.empty() || tenant.empty() || month.size() != 7 || times < 1) {
        std::cerr << "usage: tally-bench-scale-snapshot --data-dir DIR --tenant NAME --month "
                     "YYYY-MM --times K\n";
        return 64;
    }
    auto choice = parse_db(std::nullopt, dir);
    if (!choice) {
        std::cerr << choice.error().message << "\n";
        return 1;
    }
    auto store = open_store(*choice);
    if (!store) {
        std::cerr << store.error().message << "\n";
        return 1;
    }
    auto found = (*store)->month_snapshot(tenant, month);
    if (!found || !found->has_value()) {
        std::cerr << "no snapshot of " << month << " (run a report of the closed month first)\n";
        return 1;
    }
    auto report = decode_month_snapshot((*found)->body);
    if (!report) {
        std::cerr << report.error().message << "\n";
        return 1;
    }
    const auto body = encode_month_snapshot(scaled(*report, times));
    if (auto put = (*store)->redact_month_snapshot(tenant, month, body); !put) {
        std::cerr << put.error().message << "\n";
        return 1;
    }
    std::cout << "RESULT {\"devices\":" << report->devices.size() * times
              << ",\"users\":" << report->users.size() * times << ",\"bytes\":" << body.size()
              << "}\n";
    return 0;
}
