// Usage report → JSON (see usage_json.h; the shape is documented in REPORT.md).

#include "server/report/usage_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "pairing/time_format.h"

namespace tally::server {
namespace {

using nlohmann::ordered_json;

ordered_json time_or_null(const std::optional<std::int64_t>& t) {
    return t ? ordered_json(pairing::format_rfc3339(*t)) : ordered_json(nullptr);
}

ordered_json summary_json(const UsageSummary& s) {
    ordered_json j;
    j["active_devices"] = s.active_devices;
    j["active_users"] = s.active_users;
    j["standalone_devices"] = s.standalone_devices;
    j["overflow_devices"] = s.overflow_devices;
    j["billable_units"] = s.billable_units;
    j["reported_units"] = s.reported_units;
    j["packages"] = ordered_json::array();
    for (const auto& p : s.packages) {
        j["packages"].push_back({{"package", p.package},
                                 {"active_users", p.active_users},
                                 {"standalone_devices", p.standalone_devices},
                                 {"billable_units", p.billable_units}});
    }
    j["tenant_status"] = s.tenant_status;
    j["trial"] = s.trial;
    j["trial_end"] = time_or_null(s.trial_end);
    j["inactive_since"] = time_or_null(s.inactive_since);
    j["billable_from"] = time_or_null(s.billable_from);
    j["billable_to"] = time_or_null(s.billable_to);
    j["time_zone"] = s.time_zone;
    j["month_start"] = pairing::format_rfc3339(s.month_start);
    j["month_end"] = pairing::format_rfc3339(s.month_end);
    j["closes_at"] = pairing::format_rfc3339(s.closes_at);
    j["closed"] = s.closed;
    j["late_adjustments"] = s.late_adjustments;
    j["late_units_delta"] = s.late_units_delta;
    j["inactive_spans"] = ordered_json::array();
    for (const auto& span : s.inactive_spans) {
        j["inactive_spans"].push_back({{"from", pairing::format_rfc3339(span.from)},
                                       {"to", pairing::format_rfc3339(span.to)}});
    }
    j["inactive_span_heartbeats"] = s.inactive_span_heartbeats;
    return j;
}

//! Writes one JSON object exactly as nlohmann's dump(2) writes it at `depth` spaces of
//! indentation, without building the object (a report has one per device and per user).
class ObjectWriter {
  public:
    ObjectWriter(std::string& out, std::size_t depth) : out_(out), depth_(depth) {}

    void str(std::string_view k, std::string_view v) {
        key(k);
        value(v);
    }
    void opt_str(std::string_view k, const std::string& v) {  //!< null when empty
        if (v.empty()) {
            null(k);
        } else {
            str(k, v);
        }
    }
    void time(std::string_view k, const std::optional<std::int64_t>& t) {
        if (t) {
            str(k, pairing::format_rfc3339(*t));
        } else {
            null(k);
        }
    }
    template <typename Int>
    void num(std::string_view k, Int v) {
        key(k);
        out_ += std::to_string(v);
    }
    void boolean(std::string_view k, bool v) {
        key(k);
        out_ += v ? "true" : "false";
    }
    void null(std::string_view k) {
        key(k);
        out_ += "null";
    }
    template <typename Strings>
    void strings(std::string_view k, const Strings& items) {
        key(k);
        if (items.empty()) {
            out_ += "[]";
            return;
        }
        out_ += '[';
        bool first = true;
        for (const auto& item : items) {
            out_ += first ? "\n" : ",\n";
            first = false;
            out_.append(depth_ + 4, ' ');
            value(item);
        }
        out_ += '\n';
        out_.append(depth_ + 2, ' ');
        out_ += ']';
    }
    void finish() {
        if (first_) {
            out_ += "{}";
            return;
        }
        out_ += '\n';
        out_.append(depth_, ' ');
        out_ += '}';
    }

  private:
    void key(std::string_view k) {  // keys are the writer's own ASCII names
        out_ += first_ ? "{\n" : ",\n";
        first_ = false;
        out_.append(depth_ + 2, ' ');
        out_ += '"';
        out_ += k;
        out_ += "\": ";
    }
    void value(std::string_view v) {
        // Printable ASCII without quote or backslash is written as is; anything else goes
        // through nlohmann (escapes, and invalid UTF-8 replaced rather than thrown).
        const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
            return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        });
        if (plain) {
            out_ += '"';
            out_ += v;
            out_ += '"';
        } else {
            out_ += ordered_json(std::string(v))
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
    }

    std::string& out_;
    std::size_t depth_;
    bool first_ = true;
};

void device_json(std::string& out, std::size_t depth, const DeviceReportRow& row) {
    const auto& d = row.usage.device;
    const auto& b = row.billing;
    ObjectWriter j(out, depth);
    j.str("device_id", d.id);
    j.str("hostname", d.facts.hostname);
    j.str("device_type", d.facts.device_type);
    j.str("role", d.facts.role);
    j.boolean("active", row.active);
    j.str("billed_as", billing::to_string(b.billed_as));
    j.opt_str("package", b.package);
    j.opt_str("paired_user", b.paired_user);
    j.opt_str("paired_by", b.paired_by);
    j.num("active_minutes", row.usage.active_minutes);
    j.num("active_days", row.usage.active_days);
    j.num("heartbeats", row.usage.heartbeats);
    j.num("last_seq", d.last_seq);
    j.time("last_seen", d.last_seen);
    j.strings("users", row.usage.users);
    j.boolean("retired", d.retired_at.has_value());
    j.boolean("suspected_clone", d.suspected_clone);
    // Reconciliation with the agent (heartbeats + gaps + held should cover 1..last_seq).
    const auto& e = row.usage.evidence;
    j.num("gaps", e.gap_seqs);
    j.num("lost_by_server", e.lost_by_server);
    j.num("forks", e.forks);
    j.num("chain_breaks", e.chain_breaks);
    j.num("held_out_of_window", e.held);
    std::vector<std::string_view> flags;
    if (d.suspected_clone) {
        flags.push_back("suspected_clone");
    }
    if (e.chain_breaks > 0) {
        flags.push_back("chain_break");
    }
    if (e.gap_seqs > 0) {
        flags.push_back("declared_gaps");
    }
    if (e.lost_by_server > 0) {
        flags.push_back("lost_by_server");
    }
    if (e.trust_on_first_use) {
        flags.push_back("trust_on_first_use");
    }
    if (e.revoked) {
        flags.push_back("revoked");
    } else if (d.retired_at) {
        flags.push_back("retired");
    }
    j.strings("flags", flags);
    j.opt_str("covered_by", b.covered_by);
    j.opt_str("coverage", b.coverage == billing::Coverage::kPrimaryUser ? "primary-user"
                          : b.coverage == billing::Coverage::kOtherUser ? "other-user"
                                                                        : "");
    j.time("retired_at", d.retired_at);
    j.num("inactive_span_heartbeats", row.inactive_span_heartbeats);
    j.str("explanation", row.explanation);
    j.finish();
}

void user_json(std::string& out, std::size_t depth, const billing::UserBilling& u) {
    ObjectWriter j(out, depth);
    j.str("principal", u.principal);
    j.boolean("local", u.local);
    if (u.local) {
        j.str("device_id", u.device_id);
    }
    j.opt_str("group", u.group);
    j.str("package", u.package);
    j.num("active_minutes", u.active_minutes);
    j.num("active_days", u.active_days);
    j.time("first_seen", u.first_seen);
    j.time("last_seen", u.last_seen);
    j.strings("devices", u.devices);
    j.strings("devices_paired", u.devices_paired);
    j.finish();
}

ordered_json late_json(const LateHeartbeat& l) {
    return {{"device_id", l.device_id},
            {"hostname", l.hostname},
            {"heartbeats", l.heartbeats},
            {"start", pairing::format_rfc3339(l.start)},
            {"received_at", pairing::format_rfc3339(l.received_at)},
            {"device_active_minutes", l.device_active_minutes},
            {"users", l.users}};
}

//! Appends one late adjustment's JSON to `text`, its lines indented by `depth`.
void late_text(std::string& text, std::size_t depth, const LateHeartbeat& l) {
    const auto dumped = late_json(l).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const char c : dumped) {
        text += c;
        if (c == '\n') {
            text.append(depth, ' ');
        }
    }
}

//! The size of the pieces the rows are written in.
constexpr std::size_t kPiece = 64 * 1024;

//! Writes `value` as dump(2) writes it, its line breaks indented by `depth` more spaces.
template <typename Sink>
void put_value(Sink& sink, const ordered_json& value, std::size_t depth) {
    const std::string_view spaces = "      ";
    // replace: a principal with invalid UTF-8 must not make the report throw.
    const auto text = value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string_view view = text;
    std::size_t at = 0;
    for (auto nl = view.find('\n'); nl != std::string::npos; nl = view.find('\n', at)) {
        sink(view.substr(at, nl + 1 - at));
        sink(spaces.substr(0, depth));
        at = nl + 1;
    }
    sink(view.substr(at));
}

//! Writes the document piece by piece to `sink` (a callable taking std::string_view).
template <typename Sink>
void write_json(const UsageReport& r, const ReportRows& rows_of, Sink&& sink,
                const RowProgress& progress = {}) {
    std::size_t rows = 0;
    // The document is written as nlohmann's dump(2) would write it whole: each value dumped
    // on its own, its line breaks indented by its depth (JSON strings hold no raw newlines).
    const auto put = [&sink](const ordered_json& value, std::size_t depth) {
        put_value(sink, value, depth);
    };
    const auto out = [&sink](std::string_view text) { sink(text); };
    const auto key = [&](std::string_view name) {
        out("  ");
        put(ordered_json(name), 0);
        out(": ");
    };
    // An array of `count` objects visited by `visit(fn)`; `write(text, depth, item)` appends
    // one item's text to `text`.
    const auto array = [&](std::string_view name, std::size_t count, const auto& visit,
                           const auto& write, bool last) {
        key(name);
        if (count == 0) {
            out("[]");
        } else {
            out("[\n");
            bool first = true;
            // Rows are handed on in pieces of about kPiece bytes: one write per row would be
            // one system call per row (a stream writes a large piece through, unbuffered).
            std::string text;
            text.reserve(kPiece + 4096);
            visit([&](const auto& item) {
                text.append(first ? "    " : ",\n    ");
                first = false;
                write(text, 4, item);
                if (text.size() >= kPiece) {
                    out(text);
                    text.clear();
                }
                if (progress) {
                    progress(++rows);
                }
            });
            out(text);
            out("\n  ]");
        }
        out(last ? "\n" : ",\n");
    };
    out("{\n");
    key("tenant");
    put(r.tenant, 2);
    out(",\n");
    key("month");
    put(r.month, 2);
    out(",\n");
    key("generated_at");
    put(pairing::format_rfc3339(r.generated_at), 2);
    out(",\n");
    key("summary");
    put(summary_json(r.summary), 2);
    out(",\n");
    array(
        "devices", rows_of.device_count(), [&](const auto& fn) { rows_of.each_device(fn); },
        device_json, false);
    array(
        "users", rows_of.user_count(), [&](const auto& fn) { rows_of.each_user(fn); }, user_json,
        false);
    array(
        "late_adjustments", r.late.size(),
        [&](const auto& fn) {
            for (const auto& l : r.late) {
                fn(l);
            }
        },
        late_text, true);
    out("}\n");
}

}  // namespace

std::string usage_to_json(const UsageReport& r) {
    std::string text;
    // One allocation for most reports: a device is ~740 bytes, a user ~400.
    text.reserve(4096 + 800 * r.devices.size() + 450 * r.users.size() + 400 * r.late.size());
    write_json(r, InMemoryRows(r), [&text](std::string_view piece) { text.append(piece); });
    return text;
}

void write_usage_json(const UsageReport& r, std::ostream& out, const RowProgress& progress) {
    write_usage_json(r, InMemoryRows(r), out, progress);
}

void write_usage_json(const UsageReport& r, const ReportRows& rows, std::ostream& out,
                      const RowProgress& progress) {
    write_json(
        r, rows,
        [&out](std::string_view piece) {
            out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        },
        progress);
}

}  // namespace tally::server
