#pragma once
// The small fixed parts of an XLSX package around its sheets (xlsx_book.h): content types,
// relationships, the workbook (sheet names, each sheet's autofilter range), styles (0 plain,
// 1 bold, 2 the date-time format) and document properties. The same XML libxlsxwriter writes,
// without its theme part (nothing here refers to it).

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tally::server {

struct XlsxSheetInfo {
    std::string name;
    std::string filter;  //!< the autofilter range, "$A$1:$S$100001" ("" for none)
};

//! Style ids in styles.xml.
inline constexpr int kXlsxBoldStyle = 1;
inline constexpr int kXlsxTimeStyle = 2;

//! "A", "B", …, "Z", "AA", … for a 0-based column.
std::string xlsx_column_name(std::size_t column);
//! `text` with XML's markup characters (& < > ") escaped.
void xlsx_xml_escape(std::string& out, std::string_view text);

std::string xlsx_content_types(std::size_t sheets);
std::string xlsx_root_rels();
std::string xlsx_workbook_rels(std::size_t sheets);
std::string xlsx_workbook(const std::vector<XlsxSheetInfo>& sheets);
std::string xlsx_styles();
std::string xlsx_core_properties(std::int64_t created);
std::string xlsx_app_properties(const std::vector<XlsxSheetInfo>& sheets);

}  // namespace tally::server
