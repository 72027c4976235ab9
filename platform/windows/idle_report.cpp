// The reporter's one-line message (see idle_report.h).

#include "platform/windows/idle_report.h"

#include <charconv>

namespace tally::platform {
namespace {

constexpr std::string_view kPrefix = "tally-idle 1 ";

//! Reads "<key>=<decimal>" at the front of text; the rest stays in text.
bool take_field(std::string_view& text, std::string_view key, std::uint32_t& out) {
    if (text.substr(0, key.size()) != key || text.size() <= key.size() || text[key.size()] != '=')
        return false;
    text.remove_prefix(key.size() + 1);
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, out);
    if (ec != std::errc() || p == text.data())
        return false;
    text.remove_prefix(static_cast<std::size_t>(p - text.data()));
    return true;
}

}  // namespace

std::uint32_t input_age_ms(std::uint32_t now_tick, std::uint32_t last_input_tick) {
    return now_tick - last_input_tick;  // unsigned: wraps exactly as the tick counter does
}

std::string format_idle_report(const IdleReport& r) {
    return std::string(kPrefix) + "session=" + std::to_string(r.session) +
           " idle_ms=" + std::to_string(r.idle_ms) + "\n";
}

Result<IdleReport> parse_idle_report(std::string_view text) {
    if (text.size() > kMaxIdleReportBytes)
        return make_error("idle-report", "idle report longer than " +
                                             std::to_string(kMaxIdleReportBytes) + " bytes");
    if (text.substr(0, kPrefix.size()) != kPrefix)
        return make_error("idle-report", "not an idle report (expected 'tally-idle 1 ...')");
    text.remove_prefix(kPrefix.size());
    IdleReport r;
    if (!take_field(text, "session", r.session))
        return make_error("idle-report", "idle report without a valid session=<id>");
    if (text.substr(0, 1) != " ")
        return make_error("idle-report", "idle report: expected ' idle_ms=' after the session");
    text.remove_prefix(1);
    if (!take_field(text, "idle_ms", r.idle_ms))
        return make_error("idle-report", "idle report without a valid idle_ms=<milliseconds>");
    if (text != "\n")
        return make_error("idle-report", "idle report: unexpected text after idle_ms");
    return r;
}

}  // namespace tally::platform
