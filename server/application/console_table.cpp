// Console table queries (see console_table.h).

#include "server/application/console_table.h"

#include <cctype>
#include <charconv>

namespace tally::server::application {
namespace {

Error bad(std::string_view prefix, std::string_view name, const std::string& why) {
    return make_error("bad_request",
                      "Parameter " + std::string(prefix) + std::string(name) + ": " + why + ".");
}

}  // namespace

Result<TableQuery> parse_table_query(std::string_view prefix, std::string_view search,
                                     std::string_view sort, std::string_view dir,
                                     std::string_view page,
                                     const std::vector<std::string_view>& sorts) {
    TableQuery q;
    if (search.size() > kMaxSearchChars) {
        return bad(prefix, "q", "longer than 200 characters");
    }
    q.search = std::string(search);
    if (sort.empty()) {
        q.sort = std::string(sorts.front());
    } else if (std::find(sorts.begin(), sorts.end(), sort) != sorts.end()) {
        q.sort = std::string(sort);
    } else {
        std::string list;
        for (const auto s : sorts) {
            list += (list.empty() ? "" : ", ") + std::string(s);
        }
        return bad(prefix, "sort", "not one of " + list);
    }
    if (dir != "" && dir != "asc" && dir != "desc") {
        return bad(prefix, "dir", "must be asc or desc");
    }
    q.descending = dir == "desc";
    if (!page.empty()) {
        const auto* end = page.data() + page.size();
        const auto [ptr, ec] = std::from_chars(page.data(), end, q.page);
        if (ec != std::errc() || ptr != end || q.page < 1 || q.page > 1000000) {
            return bad(prefix, "page", "must be a whole number from 1 to 1000000");
        }
    }
    return q;
}

bool contains_folded(std::string_view text, std::string_view needle) {
    const auto fold = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    };
    return std::search(text.begin(), text.end(), needle.begin(), needle.end(), fold) != text.end();
}

}  // namespace tally::server::application
