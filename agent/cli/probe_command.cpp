// `tally-agent probe`: every session the platform sees right now, with the verdict and why
// (the first thing a support engineer runs).

#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "agent/activity/verdict.h"
#include "agent/cli/commands.h"
#include "agent/text_safety.h"

namespace tally::agent {
namespace {

std::string idle_text(const SessionSample& s) {
    return s.idle_s ? std::to_string(*s.idle_s) : "?";
}
std::string locked_text(const SessionSample& s) {
    return s.locked ? (*s.locked ? "yes" : "no") : "?";
}

void print_json(const std::string& source, const std::string& error,
                const std::vector<SessionSample>& sessions, std::uint32_t threshold) {
    nlohmann::json doc = {{"source", source}, {"sessions", nlohmann::json::array()}};
    if (!error.empty())
        doc["error"] = error;
    for (const auto& s : sessions) {
        Verdict v = classify(s, threshold);
        nlohmann::json j = {
            {"id", s.id},
            {"user", s.user},
            {"principal", s.principal},
            {"uid", s.uid ? nlohmann::json(*s.uid) : nlohmann::json(nullptr)},
            {"local", s.local_account},
            {"system_account", s.system_account},
            {"kind", to_string(s.kind)},
            {"class", to_string(s.session_class)},
            {"state", s.state},
            {"idle_s", s.idle_s ? nlohmann::json(*s.idle_s) : nlohmann::json(nullptr)},
            {"idle_source", s.idle_source},
            {"locked", s.locked ? nlohmann::json(*s.locked) : nlohmann::json(nullptr)},
            {"tty", s.tty},
            {"remote_host", s.remote_host},
            {"seat", s.seat},
            {"source", s.source},
            {"verdict", to_string(v.kind)},
            {"reason", v.reason},
        };
        doc["sessions"].push_back(std::move(j));
    }
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void print_table(const std::string& source, const std::string& error,
                 const std::vector<SessionSample>& sessions, std::uint32_t threshold) {
    std::cout << "source: " << source << " (idle threshold " << threshold << " s)\n";
    if (!error.empty())
        std::cout << "source error: " << escape_control(error) << "\n";
    auto row = [](const std::vector<std::string>& cols) {
        static const int widths[] = {16, 8, 12, 9, 10, 6, 8, 10, 8};
        for (std::size_t i = 0; i < cols.size(); ++i) {
            // Session fields come from utmp/logind: no control byte reaches the terminal.
            const std::string col = escape_control(cols[i]);
            if (i + 1 < cols.size()) {
                std::cout << std::left << std::setw(widths[i]) << col << ' ';
            } else {
                std::cout << col;
            }
        }
        std::cout << "\n";
    };
    row({"USER", "KIND", "CLASS", "STATE", "TTY", "IDLE", "LOCKED", "SOURCE", "VERDICT", "REASON"});
    for (const auto& s : sessions) {
        Verdict v = classify(s, threshold);
        row({s.principal.empty() ? s.user : s.principal, to_string(s.kind),
             to_string(s.session_class), s.state, s.tty, idle_text(s), locked_text(s), s.source,
             to_string(v.kind), v.reason});
    }
    if (sessions.empty())
        std::cout << "(no sessions)\n";
}

}  // namespace

int probe_command(CliContext& ctx, bool json) {
    ActivitySource& src = *ctx.parts->activity;
    auto sessions = src.sessions();
    std::string error = src.last_error();
    if (json) {
        print_json(src.name(), error, sessions, ctx.config.idle_threshold_s);
    } else {
        print_table(src.name(), error, sessions, ctx.config.idle_threshold_s);
    }
    return 0;
}

}  // namespace tally::agent
