// An XLSX workbook through libxlsxwriter in constant-memory mode (see xlsx_book.h).

#include "server/report/xlsx_book.h"

#include <stdlib.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "server/report/xlsx_text.h"

namespace tally::server {
namespace {

constexpr std::size_t kMaxRows = 1048575;  // Excel's 1,048,576 rows, less the header

Result<std::filesystem::path> make_private_dir() {
    std::error_code ec;
    auto base = std::filesystem::temp_directory_path(ec);
    if (ec) {
        base = "/tmp";
    }
    std::string templ = (base / "tally-xlsx-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) {
        return make_error("io", "no temporary directory for the XLSX book under " + base.string() +
                                    ": " + std::generic_category().message(errno));
    }
    return std::filesystem::path(templ);
}

}  // namespace

struct XlsxBook::State {
    std::filesystem::path dir;
    std::filesystem::path file;
    lxw_workbook* book = nullptr;
    lxw_format* bold = nullptr;
    lxw_format* time = nullptr;
    std::vector<std::unique_ptr<XlsxSheet>> sheets;

    ~State() {
        if (book != nullptr) {
            workbook_close(book);  // libxlsxwriter has no "discard": write, then remove
        }
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

Result<XlsxBook> XlsxBook::create(std::int64_t created) {
    auto dir = make_private_dir();
    if (!dir) {
        return dir.error();
    }
    auto state = std::make_unique<State>();
    state->dir = *dir;
    state->file = *dir / "book.xlsx";
    std::string tmpdir = dir->string();
    lxw_workbook_options options = {};
    options.constant_memory = LXW_TRUE;
    options.tmpdir = tmpdir.data();
    state->book = workbook_new_opt(state->file.c_str(), &options);
    if (state->book == nullptr) {
        return make_error("xlsx", "libxlsxwriter could not start a workbook in " + tmpdir);
    }
    lxw_doc_properties properties = {};
    properties.created = static_cast<time_t>(created);
    workbook_set_properties(state->book, &properties);
    state->bold = workbook_add_format(state->book);
    format_set_bold(state->bold);
    state->time = workbook_add_format(state->book);
    format_set_num_format(state->time, "yyyy-mm-dd hh:mm:ss");
    return XlsxBook(std::move(state));
}

XlsxBook::XlsxBook(std::unique_ptr<State> state) : state_(std::move(state)) {}
XlsxBook::XlsxBook(XlsxBook&&) noexcept = default;
XlsxBook::~XlsxBook() = default;

XlsxSheet& XlsxBook::add_sheet(const std::string& name, const std::vector<XlsxColumn>& columns,
                               std::size_t data_rows) {
    lxw_worksheet* ws = workbook_add_worksheet(state_->book, name.c_str());
    auto sheet = std::make_unique<XlsxSheet>(ws, state_->time, name);
    if (ws == nullptr) {
        sheet->error_ =
            "libxlsxwriter refused the sheet's name (used twice, too long or "
            "with characters Excel forbids)";
        state_->sheets.push_back(std::move(sheet));
        return *state_->sheets.back();
    }
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto col = static_cast<lxw_col_t>(c);
        sheet->check(worksheet_set_column(ws, col, col, columns[c].width, nullptr));
        sheet->check(worksheet_write_string(ws, 0, col, xlsx_cell_text(columns[c].name).c_str(),
                                            state_->bold));
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (!columns.empty()) {
        const auto last = static_cast<lxw_row_t>(std::min(data_rows, kMaxRows));
        sheet->check(
            worksheet_autofilter(ws, 0, 0, last, static_cast<lxw_col_t>(columns.size() - 1)));
    }
    if (state_->sheets.empty()) {
        worksheet_activate(ws);
    }
    state_->sheets.push_back(std::move(sheet));
    return *state_->sheets.back();
}

bool XlsxBook::constant_memory() const {
    for (const auto& sheet : state_->sheets) {
        if (sheet->sheet_ == nullptr || !sheet->sheet_->optimize ||
            sheet->sheet_->optimize_tmpfile == nullptr) {
            return false;
        }
    }
    return state_->book != nullptr;
}

Result<void> XlsxBook::finish(std::ostream& out) {
    for (const auto& sheet : state_->sheets) {
        if (!sheet->error_.empty()) {
            return make_error("xlsx", "sheet \"" + sheet->name_ + "\": " + sheet->error_);
        }
    }
    const lxw_error closed = workbook_close(state_->book);
    state_->book = nullptr;
    if (closed != LXW_NO_ERROR) {
        return make_error(
            "xlsx", std::string("the workbook could not be written: ") + lxw_strerror(closed));
    }
    std::ifstream in(state_->file, std::ios::binary);
    if (!in) {
        return make_error("io",
                          "the XLSX book could not be read back from " + state_->file.string());
    }
    out << in.rdbuf();
    if (!out) {
        return make_error("io", "the report could not be written");
    }
    return {};
}

void XlsxSheet::check(int error) {
    if (error != LXW_NO_ERROR && error_.empty()) {
        error_ = lxw_strerror(static_cast<lxw_error>(error));
    }
}

void XlsxSheet::text(std::size_t column, std::string_view value) {
    if (value.empty() || sheet_ == nullptr) {
        return;
    }
    cell_ = xlsx_cell_text(value);
    check(worksheet_write_string(sheet_, row_, static_cast<lxw_col_t>(column), cell_.c_str(),
                                 nullptr));
}

void XlsxSheet::number(std::size_t column, std::int64_t value) {
    if (sheet_ != nullptr) {
        check(worksheet_write_number(sheet_, row_, static_cast<lxw_col_t>(column),
                                     static_cast<double>(value), nullptr));
    }
}

void XlsxSheet::boolean(std::size_t column, bool value) {
    if (sheet_ != nullptr) {
        check(worksheet_write_boolean(sheet_, row_, static_cast<lxw_col_t>(column), value ? 1 : 0,
                                      nullptr));
    }
}

void XlsxSheet::time(std::size_t column, std::int64_t unix_seconds) {
    if (sheet_ != nullptr) {
        check(worksheet_write_number(sheet_, row_, static_cast<lxw_col_t>(column),
                                     xlsx_serial_time(unix_seconds), time_format_));
    }
}

void XlsxSheet::next_row() {
    ++row_;
}

double xlsx_serial_time(std::int64_t unix_seconds) {
    const std::int64_t days =
        unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
    const std::int64_t secs = unix_seconds - days * 86400;
    double serial = static_cast<double>(days + 25569) + static_cast<double>(secs) / 86400.0;
    if (serial < 61) {
        serial -= 1;  // Excel counts a 1900-02-29 that never was: earlier days are one lower
    }
    return serial;
}

}  // namespace tally::server
