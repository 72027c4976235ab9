#pragma once
// An XLSX package around finished worksheets (XlsxSheet): content types, relationships,
// document properties, workbook (sheets, and each autofilter's hidden _xlnm._FilterDatabase
// name), theme and styles, zipped. The part structure is libxlsxwriter's, which Excel opens
// without a repair prompt. Styles (cellXfs): 0 default, 1 bold, 2 `yyyy-mm-dd hh:mm:ss`.

#include <cstdint>
#include <string>
#include <vector>

#include "pairing/result.h"
#include "server/report/xlsx_sheet.h"

namespace tally::server {

//! The workbook's bytes; the first sheet is the selected one. `created_at` (Unix seconds)
//! dates the document properties. Errors: xlsx (zlib, zip limits, no or too many sheets).
Result<std::string> xlsx_workbook(const std::vector<XlsxSheetPart>& sheets,
                                  std::int64_t created_at);

}  // namespace tally::server
