#pragma once
// JSON rows as an HTML table for the /ui pages: every value escaped, numbers right-aligned
// (class n), each cell's data-field naming its JSON field (tests read single values), the
// table inside a box that scrolls sideways on a narrow screen instead of cutting columns.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tally::server::ui {

//! Any JSON value as escaped cell text: null → "—", booleans → yes/no, arrays joined.
std::string cell_text(const nlohmann::json& v);

//! obj[name], or null when absent.
nlohmann::json field(const nlohmann::json& obj, const char* name);

struct Column {
    const char* field;
    const char* heading;
    const char* sort = nullptr;  //!< the table's sort key for this column, if sortable
};

struct TableOptions {
    //! The <th> of a sortable column; unset: plain headings.
    std::function<std::string(const Column&)> heading;
    //! A link (URL, not yet escaped) for a cell; "" for none.
    std::function<std::string(const nlohmann::json& row, const Column&)> href;
    //! Cell text (escaped HTML) instead of cell_text; unset: cell_text.
    std::function<std::string(const nlohmann::json& value, const Column&)> text;
};

//! One <td> (with data-field) of value `v`.
std::string json_td(const nlohmann::json& v, const std::string& name, const std::string& text,
                    const std::string& href = {});

//! "None." when rows is empty.
std::string json_table(const char* id, const nlohmann::json& rows,
                       const std::vector<Column>& columns, const TableOptions& options = {});

}  // namespace tally::server::ui
