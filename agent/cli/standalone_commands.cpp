// `tally-agent report` and `tally-agent export` (standalone mode; see agent/standalone/).

#include <chrono>
#include <iostream>
#include <optional>

#include "agent/cli/commands.h"
#include "agent/standalone/bundle_export.h"
#include "agent/standalone/ledger.h"
#include "agent/standalone/month_report.h"
#include "pairing/time_format.h"

namespace tally::agent {
namespace {

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

//! "YYYY-MM-DD" → Unix seconds of its first second (UTC).
std::optional<std::int64_t> parse_day(const std::string& text) {
    auto t = pairing::parse_rfc3339(text + "T00:00:00Z");
    if (!t || text.size() != 10)
        return std::nullopt;
    return t;
}

struct Range {
    std::int64_t from = 0;
    std::int64_t to = 0;
};

Result<Range> range_of(const CliArgs& args) {
    if (!args.month.empty()) {
        auto m = pairing::month_range_utc(args.month);
        if (!m)
            return make_error("usage", "--month must be YYYY-MM, got '" + args.month + "'");
        return Range{m->first, m->second};
    }
    auto from = parse_day(args.from);
    auto to = parse_day(args.to);
    if (!from)
        return make_error("usage", "--from must be YYYY-MM-DD, got '" + args.from + "'");
    if (!to)
        return make_error("usage", "--to must be YYYY-MM-DD, got '" + args.to + "'");
    if (*to < *from)
        return make_error("usage", "--to is before --from");
    return Range{*from, *to + 86400};  // --to is inclusive
}

int failed(const char* command, const Error& e) {
    std::cerr << "tally-agent " << command << ": " << e.message << "\n";
    return e.code == "usage" ? kExitUsage : 1;
}

}  // namespace

int report_command(CliContext& ctx, const CliArgs& args) {
    auto range = range_of(args);
    if (!range)
        return failed("report", range.error());
    auto ledger = standalone::read_ledger(ctx.state_dir);
    if (!ledger)
        return failed("report", ledger.error());
    auto selected = standalone::select_range(*ledger, range->from, range->to);
    auto report = standalone::build_month_report(args.month, range->from, range->to, selected);
    std::cout << (args.json ? standalone::month_report_json(report) + "\n"
                            : standalone::month_report_text(report));
    return 0;
}

int export_command(CliContext& ctx, const CliArgs& args) {
    auto range = range_of(args);
    if (!range)
        return failed("export", range.error());
    HostFacts host = ctx.host_facts();
    standalone::ExportInput in;
    in.from = range->from;
    in.to = range->to;
    in.now = now_s();
    in.output = args.output;
    in.facts.hostname = host.hostname.empty() ? "unknown" : host.hostname;
    in.facts.os = host.os.empty() ? "unknown" : host.os;
    in.facts.os_version = host.os_version;
    in.facts.agent_version = TALLY_VERSION;
    in.facts.device_type = ctx.config.device_type;
    in.facts.role = ctx.config.role;
    in.facts.fingerprint = ctx.parts->fingerprint->fingerprint();
    auto summary =
        standalone::export_bundle(ctx.state_dir, *ctx.parts->keys, *ctx.parts->files, in);
    if (!summary)
        return failed("export", summary.error());
    std::cout << "exported " << summary->heartbeats << " heartbeat(s), seq " << summary->first_seq
              << ".." << summary->last_seq << " (" << summary->declared_lost << " declared lost), "
              << pairing::format_rfc3339(in.from) << " .. " << pairing::format_rfc3339(in.to)
              << " to " << args.output << " (" << summary->bytes << " bytes)\n";
    return 0;
}

}  // namespace tally::agent
