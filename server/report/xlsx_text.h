#pragma once
// Text for an XLSX cell, made safe before the sheet writes it (xlsx_sheet.cpp escapes XML
// markup itself, as libxlsxwriter did, but neither repairs UTF-8 nor escapes a literal
// `_xHHHH_`, and a cell holds no more than Excel's limit): bytes that are not UTF-8 become
// U+FFFD (the file must stay XML); characters XML 1.0 cannot carry (control characters other
// than tab and line feed, U+FFFE, U+FFFF) become Excel's `_xHHHH_` escape; a literal `_xHHHH_`
// is written `_x005F_xHHHH_` so Excel reads it back unchanged; text beyond Excel's 32,767
// characters per cell (counted in UTF-16 units, as Excel does) is cut and ends with U+2026 "…"
// (JSON and CSV keep it whole).

#include <cstddef>
#include <string>
#include <string_view>

namespace tally::server {

//! Excel's limit of characters (UTF-16 code units) in one cell.
inline constexpr std::size_t kXlsxMaxCellChars = 32767;

//! `text` escaped as above, and cut to kXlsxMaxCellChars.
std::string xlsx_cell_text(std::string_view text);

}  // namespace tally::server
