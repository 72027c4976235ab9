#pragma once
// The default Office theme part of an XLSX workbook.

#include <string_view>

namespace tally::server {

//! xl/theme/theme1.xml.
std::string_view xlsx_theme_xml();

}  // namespace tally::server
