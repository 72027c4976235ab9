// `tally-server verify-evidence --tenant NAME --month YYYY-MM`: re-checks a month from the
// stored evidence (EvidenceVerifyStore: the SQLite store, or PostgreSQL with --db
// postgresql://…, the same checks and output) and says what it found. Exit 0 when
// everything holds, 1 when something does not (each problem is listed), 64 on usage errors.

#include <iostream>

#include "server/cli/command.h"

namespace tally::server::cli {
namespace {

void print(const EvidenceCheck& c, const std::string& tenant, const std::string& month) {
    std::cout << "tenant " << printable(tenant) << ", month " << month << " (" << c.time_zone
              << ")\n";
    std::cout << "heartbeats: " << c.heartbeats << " counted, " << c.held << " held; "
              << c.decoded_ok << " decoded from their batches, " << c.redacted
              << " re-encoded by the purge (surrogates; chain not checkable)\n";
    std::cout << "chain: " << c.links_checked << " link(s) checked, " << c.recorded_breaks
              << " broken as recorded on arrival\n";
    std::cout << "batches: " << c.batches << " read, " << c.signatures_ok
              << " signed body(ies) verified byte for byte with the device's key, "
              << c.unsigned_batches
              << " kept without a signed body (bundle imports, data from schema 9, redacted)\n";
    for (const auto& p : c.problems) {
        std::cout << "problem: device " << p.device_id << " seq " << p.seq << ": "
                  << printable(p.what) << "\n";
    }
    if (c.rollup_differences.empty()) {
        std::cout << "rollups: " << c.rollup_rows
                  << " row(s) equal to a recomputation from the evidence\n";
    }
    for (const auto& d : c.rollup_differences) {
        std::cout << "problem: rollup " << printable(d) << "\n";
    }
    const auto found = c.problems.size() + c.rollup_differences.size();
    std::cout << (c.ok() ? std::string("result: ok")
                         : "result: " + std::to_string(found) + " problem(s) found")
              << std::endl;
}

}  // namespace

int run_verify_evidence(const std::vector<std::string>& words) {
    auto args = parse_args(words, {"data-dir", "db", "tenant", "month"});
    if (!args) {
        return fail(args.error());
    }
    if (args->positional.size() != 1 || !args->get("tenant") || !args->get("month")) {
        return fail(make_error("usage",
                               "usage: tally-server verify-evidence --tenant NAME --month YYYY-MM "
                               "[--data-dir DIR] [--db URL]"));
    }
    auto store = store_for(*args);
    if (!store) {
        return fail(store.error());
    }
    const auto tenant = *args->get("tenant");
    const auto month = *args->get("month");
    auto check = (*store)->verify_evidence(tenant, month);
    if (!check) {
        return fail(check.error());
    }
    print(*check, tenant, month);
    return check->ok() ? kExitOk : kExitFailure;
}

}  // namespace tally::server::cli
