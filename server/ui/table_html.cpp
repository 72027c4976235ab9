// JSON rows as HTML tables (see table_html.h).

#include "server/ui/table_html.h"

#include "server/ui/html.h"

namespace tally::server::ui {

using nlohmann::json;

std::string cell_text(const json& v) {
    if (v.is_null()) {
        return "—";
    }
    if (v.is_string()) {
        return html_escape(v.get<std::string>());
    }
    if (v.is_boolean()) {
        return v.get<bool>() ? "yes" : "no";
    }
    if (v.is_array()) {
        if (v.empty()) {
            return "—";
        }
        std::string out;
        for (const auto& e : v) {
            out += (out.empty() ? "" : ", ") + cell_text(e);
        }
        return out;
    }
    if (v.is_object()) {
        std::string out;
        for (const auto& [k, e] : v.items()) {
            out += (out.empty() ? "" : ", ") + html_escape(k) + ": " + cell_text(e);
        }
        return out;
    }
    return html_escape(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

json field(const json& obj, const char* name) {
    if (!obj.is_object()) {
        return nullptr;
    }
    const auto it = obj.find(name);
    return it == obj.end() ? json(nullptr) : *it;
}

std::string json_td(const json& v, const std::string& name, const std::string& text,
                    const std::string& href) {
    const bool number = v.is_number();
    std::string out = "<td" + std::string(number ? " class=\"n\"" : "") + " data-field=\"" +
                      html_escape(name) + "\">";
    if (href.empty()) {
        return out + text + "</td>";
    }
    return out + "<a href=\"" + html_escape(href) + "\">" + text + "</a></td>";
}

std::string json_table(const char* id, const json& rows, const std::vector<Column>& columns,
                       const TableOptions& options) {
    if (!rows.is_array() || rows.empty()) {
        return "<p class=\"muted\" id=\"" + std::string(id) + "\">None.</p>";
    }
    // Wide tables scroll inside their box instead of widening the page.
    std::string out =
        "<div class=\"scroll\" tabindex=\"0\"><table id=\"" + std::string(id) + "\"><thead><tr>";
    for (const auto& c : columns) {
        out += c.sort && options.heading ? options.heading(c)
                                         : std::string("<th scope=\"col\">") + c.heading + "</th>";
    }
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
        out += "<tr>";
        for (const auto& c : columns) {
            const auto v = field(row, c.field);
            const auto text = options.text ? options.text(v, c) : cell_text(v);
            out += json_td(v, c.field, text, options.href ? options.href(row, c) : std::string());
        }
        out += "</tr>";
    }
    return out + "</tbody></table></div>";
}

}  // namespace tally::server::ui
