// The device's own monthly view (see month_report.h).

#include "agent/standalone/month_report.h"

#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pairing/time_format.h"

namespace tally::agent::standalone {

MonthReport build_month_report(const std::string& month, std::int64_t from, std::int64_t to,
                               const Ledger& selected) {
    MonthReport r;
    r.month = month;
    r.from = from;
    r.to = to;
    r.heartbeats = selected.heartbeats.size();
    if (!selected.heartbeats.empty()) {
        r.first_seq = selected.heartbeats.front().decoded.seq;
        r.last_seq = selected.heartbeats.back().decoded.seq;
    }
    for (const auto& g : selected.gaps)
        r.declared_lost += g.count();
    std::set<std::int64_t> days;
    std::map<std::pair<std::string, bool>, std::pair<std::uint64_t, std::set<std::int64_t>>> users;
    for (const auto& hb : selected.heartbeats) {
        const auto& d = hb.decoded;
        const std::int64_t day = d.start / 86400;
        if (d.device_active_minutes > 0)
            days.insert(day);
        r.device_active_minutes += d.device_active_minutes;
        for (const auto& u : d.users) {
            if (u.active_minutes == 0)
                continue;
            auto& entry = users[{u.principal, u.local}];
            entry.first += u.active_minutes;
            entry.second.insert(day);
        }
    }
    r.active_days = static_cast<std::uint32_t>(days.size());
    for (const auto& [key, value] : users) {
        r.users.push_back(
            {key.first, key.second, value.first, static_cast<std::uint32_t>(value.second.size())});
    }
    return r;
}

std::string month_report_json(const MonthReport& r) {
    nlohmann::ordered_json doc;
    doc["month"] = r.month;
    doc["from"] = pairing::format_rfc3339(r.from);
    doc["to"] = pairing::format_rfc3339(r.to);
    doc["heartbeats"] = r.heartbeats;
    doc["first_seq"] = r.first_seq;
    doc["last_seq"] = r.last_seq;
    doc["declared_lost"] = r.declared_lost;
    doc["active_days"] = r.active_days;
    doc["device_active_minutes"] = r.device_active_minutes;
    doc["device_active"] = r.device_active_minutes > 0;
    doc["active_users"] = nlohmann::ordered_json::array();
    for (const auto& u : r.users) {
        nlohmann::ordered_json j;
        j["principal"] = u.principal;
        j["local"] = u.local;
        j["active_minutes"] = u.active_minutes;
        j["active_days"] = u.active_days;
        doc["active_users"].push_back(std::move(j));
    }
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string month_report_text(const MonthReport& r) {
    std::ostringstream o;
    o << "Usage recorded on this device for " << r.month << " (UTC)\n";
    o << "  heartbeats:      " << r.heartbeats;
    if (r.heartbeats > 0)
        o << " (seq " << r.first_seq << ".." << r.last_seq << ")";
    o << "\n  declared lost:   " << r.declared_lost << " heartbeat(s)\n";
    o << "  active days:     " << r.active_days << "\n";
    o << "  device minutes:  " << r.device_active_minutes << "\n";
    o << "  active users:    " << r.users.size() << "\n";
    for (const auto& u : r.users) {
        o << "    " << u.principal << (u.local ? " (local)" : "") << ": " << u.active_minutes
          << " min on " << u.active_days << " day(s)\n";
    }
    return o.str();
}

}  // namespace tally::agent::standalone
