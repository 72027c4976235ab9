#pragma once
// An XLSX workbook written in one pass with memory that does not grow with its rows: each
// sheet's XML is produced cell by cell and deflated into a ZIP entry as it goes
// (xlsx_zip.h), the package's small parts are added at the end (xlsx_parts.h). Every sheet
// has a bold header row that stays frozen, fixed column widths and an autofilter over its
// rows; cells are strings (xlsx_text.h, inline strings: no shared-string table to hold),
// numbers, booleans or UTC date-times, written as libxlsxwriter's constant-memory mode wrote
// them. The archive goes to a temporary file in a private directory (mkdtemp under $TMPDIR,
// else /tmp, removed with the book) and is copied to the caller's stream only by finish(), so
// a book that fails half-way leaves nothing there.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::server {

class ZipStream;

struct XlsxColumn {
    std::string name;  //!< the header cell
    double width;      //!< in characters of the default font, as Excel's column width dialog
};

//! One sheet of an XlsxBook, written row by row (a handle: the book owns the sheet).
class XlsxSheet {
  public:
    // Cells of the current row, left to right; an empty string writes no cell.
    void text(std::size_t column, std::string_view value);
    void number(std::size_t column, std::int64_t value);  //!< exact (integers up to 2^53 in Excel)
    void boolean(std::size_t column, bool value);
    void time(std::size_t column, std::int64_t unix_seconds);  //!< yyyy-mm-dd hh:mm:ss, UTC
    //! Ends the current row (also one without cells).
    void next_row();

    //! Made by XlsxBook::add_sheet (a null `zip` records an error reported by finish()).
    XlsxSheet(ZipStream* zip, std::string name, std::size_t columns);

  private:
    friend class XlsxBook;
    //! Opens the cell's element up to its value ("" when the cell cannot be written).
    bool open_cell(std::size_t column, int style, std::string_view type);
    void fail(const std::string& error);
    void close();

    ZipStream* zip_;
    std::string name_;
    std::vector<std::string> column_names_;  // "A", "B", … of the declared columns
    std::uint32_t row_ = 0;                  // 0-based row being written (0 is the header)
    std::string row_number_ = "1";           // row_ + 1 as text
    std::string filter_;                     // the autofilter's range ("" for none)
    bool row_open_ = false;
    std::string cell_;   // the current text cell, escaped (reused)
    std::string error_;  // the first error of this sheet ("" while none)
};

class XlsxBook {
  public:
    //! A new book; `created` is its document creation time (unix seconds).
    //! Errors: io (no temporary directory or file).
    static Result<XlsxBook> create(std::int64_t created);
    XlsxBook(XlsxBook&&) noexcept;
    XlsxBook& operator=(XlsxBook&&) = delete;
    XlsxBook(const XlsxBook&) = delete;
    ~XlsxBook();

    //! A new sheet (tabs in the order added; the first is the active one) with its header row.
    //! `data_rows` rows follow (for the dimension and the autofilter's range). Sheets are
    //! written one after the other: the previous sheet's handle is not used again.
    XlsxSheet& add_sheet(const std::string& name, const std::vector<XlsxColumn>& columns,
                         std::size_t data_rows);

    //! Finishes the package and writes its bytes to `out`. Errors: xlsx (a sheet's cell out
    //! of Excel's limits, a bad sheet name, beyond ZIP's 4 GiB), io (the temporary file or
    //! `out` failed).
    Result<void> finish(std::ostream& out);

  private:
    struct State;
    explicit XlsxBook(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

//! Unix seconds → Excel's 1900 date system serial number (days since 1899-12-30, with the
//! day fraction).
double xlsx_serial_time(std::int64_t unix_seconds);

}  // namespace tally::server
