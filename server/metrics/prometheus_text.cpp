// Prometheus text format (see prometheus_text.h).

#include "server/metrics/prometheus_text.h"

#include <cstdio>

namespace tally::server::metrics {
namespace {

void append_escaped(std::string& out, std::string_view text, bool quote_too) {
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quote_too) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void name_and_labels(std::string& out, std::string_view name, Labels labels) {
    out.append(name);
    if (labels.size() == 0) {
        out += ' ';
        return;
    }
    out += '{';
    bool first = true;
    for (const auto& [key, value] : labels) {
        if (!first) {
            out += ',';
        }
        first = false;
        out.append(key).append("=\"");
        append_escaped(out, value, true);
        out += '"';
    }
    out += "} ";
}

}  // namespace

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ");
    append_escaped(out, help, false);
    out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, Labels labels, std::uint64_t value) {
    name_and_labels(out, name, labels);
    out.append(std::to_string(value)).append("\n");
}

void sample(std::string& out, std::string_view name, Labels labels, double value) {
    name_and_labels(out, name, labels);
    char text[64];
    std::snprintf(text, sizeof text, "%.17g\n", value);
    out.append(text);
}

}  // namespace tally::server::metrics
