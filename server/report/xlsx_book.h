#pragma once
// An XLSX workbook written by libxlsxwriter in its constant-memory mode: each sheet's rows go
// to a temporary file as they are written (one row in memory), and the package is zipped from
// those files when the book is finished, so memory does not grow with the rows. Every sheet
// has a bold header row that stays frozen, fixed column widths and an autofilter over its
// rows; cells are strings (xlsx_text.h), numbers, booleans or UTC date-times. The book and
// its temporary files live in a private directory (mkdtemp under $TMPDIR, else /tmp) removed
// with the book.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

struct lxw_workbook;
struct lxw_worksheet;
struct lxw_format;

namespace tally::server {

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

    //! Made by XlsxBook::add_sheet (a null `sheet` records an error reported by finish()).
    XlsxSheet(lxw_worksheet* sheet, lxw_format* time_format, std::string name)
        : sheet_(sheet), time_format_(time_format), name_(std::move(name)) {}

  private:
    friend class XlsxBook;
    void check(int error);

    lxw_worksheet* sheet_;
    lxw_format* time_format_;
    std::string name_;
    std::uint32_t row_ = 1;  // 0-based row being written (0 is the header)
    std::string cell_;       // the current text cell, escaped (reused)
    std::string error_;      // the first error of this sheet ("" while none)
};

class XlsxBook {
  public:
    //! A book in constant-memory mode; `created` is its document creation time (unix seconds).
    //! Errors: io (no temporary directory), xlsx (libxlsxwriter could not start the book).
    static Result<XlsxBook> create(std::int64_t created);
    XlsxBook(XlsxBook&&) noexcept;
    XlsxBook& operator=(XlsxBook&&) = delete;
    XlsxBook(const XlsxBook&) = delete;
    ~XlsxBook();

    //! A new sheet (tabs in the order added; the first is the active one) with its header row.
    //! `data_rows` rows follow (for the autofilter's range). Sheets are written one after the
    //! other: the previous sheet's handle is not used again.
    XlsxSheet& add_sheet(const std::string& name, const std::vector<XlsxColumn>& columns,
                         std::size_t data_rows);

    //! Zips the book and writes its bytes to `out`. Errors: xlsx (a sheet's cell out of
    //! Excel's limits, libxlsxwriter), io (the temporary file or `out` failed).
    Result<void> finish(std::ostream& out);

    //! True: the rows go to temporary files (libxlsxwriter's constant_memory option is on).
    bool constant_memory() const;

  private:
    struct State;
    explicit XlsxBook(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

//! Unix seconds → Excel's 1900 date system serial number (days since 1899-12-30, with the
//! day fraction).
double xlsx_serial_time(std::int64_t unix_seconds);

}  // namespace tally::server
