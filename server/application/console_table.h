#pragma once
// Server-side paging, sorting and search of the console's tables (Users, Devices,
// Customers): the query a page asks for, checked, and one page of rows cut from all of
// them. Errors name the bad parameter (bad_request).

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::server::application {

constexpr std::int64_t kPageRows = 100;
constexpr std::size_t kMaxSearchChars = 200;

struct TableQuery {
    std::string search;  //!< case-insensitive substring; "" matches everything
    std::string sort;    //!< one of the table's sort keys
    bool descending = false;
    std::int64_t page = 1;  //!< 1-based; past the last page shows the last page
};

struct PageInfo {
    std::int64_t total = 0;    //!< rows before the search
    std::int64_t matched = 0;  //!< rows the search kept
    std::int64_t page = 1;
    std::int64_t pages = 1;
};

//! `prefix` names the parameters in errors ("devices_" → devices_sort). `sorts` are the
//! table's sort keys; an empty sort picks sorts.front(). dir is "", "asc" or "desc"; page
//! "" or 1..1e6.
Result<TableQuery> parse_table_query(std::string_view prefix, std::string_view search,
                                     std::string_view sort, std::string_view dir,
                                     std::string_view page,
                                     const std::vector<std::string_view>& sorts);

//! ASCII case-insensitive: does `text` contain `needle`?
bool contains_folded(std::string_view text, std::string_view needle);

//! Keeps the rows `matches` accepts, sorts them by `less` (stable; reversed when
//! descending) and cuts the query's page out of them, in place.
template <class Row, class Matches, class Less>
PageInfo page_rows(std::vector<Row>& rows, const TableQuery& q, Matches matches, Less less) {
    PageInfo info;
    info.total = static_cast<std::int64_t>(rows.size());
    if (!q.search.empty()) {
        std::erase_if(rows, [&](const Row& r) { return !matches(r); });
    }
    info.matched = static_cast<std::int64_t>(rows.size());
    info.pages = std::max<std::int64_t>(1, (info.matched + kPageRows - 1) / kPageRows);
    info.page = std::clamp<std::int64_t>(q.page, 1, info.pages);
    const auto from = static_cast<std::size_t>((info.page - 1) * kPageRows);
    const auto to = std::min(rows.size(), from + static_cast<std::size_t>(kPageRows));
    const auto cmp = [&](const Row& a, const Row& b) {
        return q.descending ? less(b, a) : less(a, b);
    };
    // Only the page's rows need their order: the rows before it are moved in front
    // (nth_element, linear), then the page's are picked and sorted (n log 100), so the
    // last page of 100,000 rows costs about what the first does.
    const auto at = [&](std::size_t i) { return rows.begin() + static_cast<std::ptrdiff_t>(i); };
    if (from > 0 && from < rows.size()) {
        std::nth_element(rows.begin(), at(from), rows.end(), cmp);
    }
    std::partial_sort(at(from), at(to), rows.end(), cmp);
    rows.erase(at(to), rows.end());
    rows.erase(rows.begin(), at(from));
    return info;
}

}  // namespace tally::server::application
