#pragma once
// One worksheet of an XLSX workbook, streamed: its XML is generated row by row and deflated as
// it goes (DeflateStream), never held whole. A bold header row that stays frozen, fixed column
// widths, an autofilter over the used range; cells are inline strings, numbers, booleans or
// UTC date-times (styles 1 bold, 2 date-time: see xlsx_workbook.h). The row count is given up
// front because `<dimension>` comes before the rows; finish() checks it. A large sheet may be
// written in parts, each a range of rows on a thread of its own (create_part), whose finished
// parts join_sheet_parts() puts back together.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/report/deflate_stream.h"

namespace tally::server {

struct XlsxColumn {
    std::string name;  //!< the header cell
    double width;      //!< in characters of the default font, as Excel's column width dialog
};

//! A finished worksheet: what the workbook parts need to know of it, and its deflated XML.
struct XlsxSheetPart {
    std::string name;        //!< the tab's name
    std::string filter_ref;  //!< the autofilter's range, e.g. "A1:O1001"
    Deflated xml;
};

class XlsxSheet {
  public:
    //! A sheet with `columns` and `data_rows` rows under the header; `selected`: the active tab.
    //! Errors: xlsx (more rows or columns than Excel allows, zlib).
    static Result<XlsxSheet> create(std::string name, const std::vector<XlsxColumn>& columns,
                                    std::size_t data_rows, bool selected);
    //! The part of that sheet holding data rows [first_row, first_row + rows): with the
    //! sheet's head if first_row is 0, with its end if the range reaches data_rows.
    static Result<XlsxSheet> create_part(std::string name, const std::vector<XlsxColumn>& columns,
                                         std::size_t data_rows, bool selected,
                                         std::size_t first_row, std::size_t rows);

    // Cells of the current row, left to right; an empty string writes no cell.
    void text(std::size_t column, std::string_view value);
    void number(std::size_t column, std::int64_t value);  //!< exact (integers up to 2^53 in Excel)
    void boolean(std::size_t column, bool value);
    void time(std::size_t column, std::int64_t unix_seconds);  //!< yyyy-mm-dd hh:mm:ss, UTC
    //! Ends the current row (also one without cells).
    void next_row();

    //! The sheet's (or part's) XML, deflated. Errors: xlsx (zlib, not the announced rows).
    Result<XlsxSheetPart> finish();

  private:
    XlsxSheet(std::string name, DeflateStream stream);
    void cell_start(std::size_t column);
    void flush_if_full();

    std::string name_;
    DeflateStream stream_;
    std::vector<std::string> column_names_;  // "A", "B", … "AA"
    std::string filter_ref_;
    std::size_t first_row_ = 0;  // 0-based data row this part starts at
    std::size_t rows_ = 0;       // data rows this part writes
    bool last_ = true;           // this part ends the sheet
    std::uint64_t row_ = 2;      // 1-based number of the row being written
    std::string row_digits_ = "2";
    bool row_open_ = false;
    std::string buffer_;   // XML not yet handed to the deflate stream
    Result<void> status_;  // the first deflate error, reported by finish()
};

//! The parts of one sheet, in row order, as the whole sheet.
XlsxSheetPart join_sheet_parts(std::vector<XlsxSheetPart> parts);

//! Excel's name of a 0-based column index: 0 → "A", 25 → "Z", 26 → "AA".
std::string xlsx_column_name(std::size_t column);

//! Unix seconds → Excel's 1900 date system serial number (days since 1899-12-30, with the
//! day fraction).
double xlsx_serial_time(std::int64_t unix_seconds);

}  // namespace tally::server
