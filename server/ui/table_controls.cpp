// Paged-table controls (see table_controls.h).

#include "server/ui/table_controls.h"

#include <algorithm>

#include "server/ui/html.h"

namespace tally::server::ui {

std::string PageLink::href(const Params& changes) const {
    Params merged = params_;
    for (const auto& change : changes) {
        // A pair, not a structured binding: clang 14 (the fuzz build) cannot capture one.
        const auto it = std::find_if(merged.begin(), merged.end(),
                                     [&](const auto& p) { return p.first == change.first; });
        if (it != merged.end()) {
            it->second = change.second;
        } else {
            merged.push_back(change);
        }
    }
    std::string out = path_;
    char sep = '?';
    for (const auto& [name, value] : merged) {
        if (value.empty()) {
            continue;
        }
        out += sep + url_encode(name) + "=" + url_encode(value);
        sep = '&';
    }
    return out;
}

const std::string& PageLink::value(std::string_view name) const {
    static const std::string none;
    for (const auto& [n, v] : params_) {
        if (n == name) {
            return v;
        }
    }
    return none;
}

std::string PageLink::search_form(std::string_view id, std::string_view name,
                                  std::string_view label,
                                  const std::vector<std::string>& drop) const {
    std::string out = "<form class=\"search\" method=\"get\" action=\"" + html_escape(path_) +
                      "\" role=\"search\">";
    for (const auto& [n, v] : params_) {
        if (n == name || v.empty() || std::find(drop.begin(), drop.end(), n) != drop.end()) {
            continue;
        }
        out += "<input type=\"hidden\" name=\"" + html_escape(n) + "\" value=\"" + html_escape(v) +
               "\">";
    }
    out += "<label for=\"" + std::string(id) + "\">" + html_escape(label) +
           "</label> <input id=\"" + std::string(id) + "\" type=\"search\" name=\"" +
           html_escape(name) + "\" value=\"" + html_escape(value(name)) +
           "\" maxlength=\"200\"> <button type=\"submit\" id=\"" + std::string(id) +
           "-go\">Search</button></form>";
    return out;
}

std::string sort_heading(const PageLink& link, std::string_view prefix, std::string_view key,
                         std::string_view heading, const application::TableQuery& q) {
    const bool current = q.sort == key;
    const bool next_desc = current && !q.descending;
    const std::string p(prefix);
    const auto href = link.href({{p + "sort", std::string(key)},
                                 {p + "dir", next_desc ? "desc" : "asc"},
                                 {p + "page", ""}});
    std::string out = "<th scope=\"col\"";
    if (current) {
        out += std::string(" aria-sort=\"") + (q.descending ? "descending" : "ascending") + "\"";
    }
    out += "><a href=\"" + html_escape(href) + "\">" + html_escape(heading);
    if (current) {
        out += q.descending ? " ▼" : " ▲";
    }
    return out + "</a></th>";
}

std::string pager(const PageLink& link, std::string_view prefix, std::string_view id,
                  const application::PageInfo& info) {
    const auto first = info.matched == 0 ? 0 : (info.page - 1) * application::kPageRows + 1;
    const auto last = std::min(info.matched, info.page * application::kPageRows);
    std::string out = "<p class=\"pager\" id=\"" + std::string(id) + "\">Rows " +
                      std::to_string(first) + "–" + std::to_string(last) + " of " +
                      std::to_string(info.matched);
    if (info.matched != info.total) {
        out += " matching (" + std::to_string(info.total) + " in all)";
    }
    out += " · page " + std::to_string(info.page) + " of " + std::to_string(info.pages);
    const std::string p(prefix);
    const auto add = [&](const char* suffix, const char* text, std::int64_t page, bool on) {
        if (!on) {
            out += " · <span class=\"muted\">" + std::string(text) + "</span>";
            return;
        }
        out += " · <a id=\"" + std::string(id) + "-" + suffix + "\" href=\"" +
               html_escape(link.href({{p + "page", std::to_string(page)}})) + "\">" + text + "</a>";
    };
    add("first", "First", 1, info.page > 1);
    add("prev", "Previous", info.page - 1, info.page > 1);
    add("next", "Next", info.page + 1, info.page < info.pages);
    add("last", "Last", info.pages, info.page < info.pages);
    return out + "</p>";
}

}  // namespace tally::server::ui
