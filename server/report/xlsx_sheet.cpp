// The cells of an XLSX sheet (see xlsx_book.h), written as libxlsxwriter's constant-memory
// mode writes them: `<row r="N">` opened by its first cell, `<c r="B7" s=".." t="..">`,
// inline strings, numbers as `%.16G` would print them. Hot path of the large sheets: no
// allocation per cell, digits by std::to_chars.

#include <charconv>

#include "server/report/xlsx_book.h"
#include "server/report/xlsx_parts.h"
#include "server/report/xlsx_text.h"
#include "server/report/xlsx_zip.h"

namespace tally::server {
namespace {

constexpr std::uint32_t kMaxRow = 1048575;  // 0-based: Excel's 1,048,576 rows
constexpr std::size_t kMaxColumn = 16383;   // 0-based: Excel's 16,384 columns (XFD)

//! A double as C's "%.16G" prints it (what libxlsxwriter writes, and Excel reads back).
void append_double(std::string& out, double value) {
    char buf[40];
    auto* end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 16).ptr;
    for (char* p = buf; p != end; ++p) {
        if (*p == 'e') {
            *p = 'E';
        }
    }
    out.append(buf, end);
}

void append_int(std::string& out, std::int64_t value) {
    constexpr std::int64_t kExact = 10'000'000'000'000'000;  // below: "%.16G" prints digits
    if (value >= kExact || value <= -kExact) {
        append_double(out, static_cast<double>(value));
        return;
    }
    char buf[24];
    auto* end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

//! Element text: & < > escaped (libxlsxwriter's escaping of cell data).
void append_data(std::string& out, std::string_view text) {
    std::size_t from = 0;
    while (true) {
        const auto at = text.find_first_of("&<>", from);
        if (at == std::string_view::npos) {
            out.append(text.substr(from));
            return;
        }
        out.append(text.substr(from, at - from));
        out += text[at] == '&' ? "&amp;" : text[at] == '<' ? "&lt;" : "&gt;";
        from = at + 1;
    }
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

XlsxSheet::XlsxSheet(ZipStream* zip, std::string name, std::size_t columns)
    : zip_(zip), name_(std::move(name)) {
    for (std::size_t c = 0; c < columns; ++c) {
        column_names_.push_back(xlsx_column_name(c));
    }
}

void XlsxSheet::fail(const std::string& error) {
    if (error_.empty()) {
        error_ = error;
    }
}

bool XlsxSheet::open_cell(std::size_t column, int style, std::string_view type) {
    if (zip_ == nullptr) {
        fail("the sheet is written after the next one was started");
        return false;
    }
    if (row_ > kMaxRow || column > kMaxColumn) {
        fail("a cell beyond Excel's 1,048,576 rows or 16,384 columns (row " +
             std::to_string(static_cast<std::uint64_t>(row_) + 1) + ")");
        return false;
    }
    auto& b = zip_->buffer();
    if (!row_open_) {
        b += "<row r=\"";
        b += row_number_;
        b += "\">";
        row_open_ = true;
    }
    b += "<c r=\"";
    if (column < column_names_.size()) {
        b += column_names_[column];
    } else {
        b += xlsx_column_name(column);
    }
    b += row_number_;
    b += '"';
    if (style != 0) {
        b += " s=\"";
        append_int(b, style);
        b += '"';
    }
    b += type;
    b += '>';
    return true;
}

void XlsxSheet::text(std::size_t column, std::string_view value) {
    if (value.empty() || !open_cell(column, 0, " t=\"inlineStr\"")) {
        return;
    }
    cell_ = xlsx_cell_text(value);
    auto& b = zip_->buffer();
    // Excel drops leading and trailing white space unless told to keep it.
    b += is_space(cell_.front()) || is_space(cell_.back()) ? "<is><t xml:space=\"preserve\">"
                                                           : "<is><t>";
    append_data(b, cell_);
    b += "</t></is></c>";
}

void XlsxSheet::number(std::size_t column, std::int64_t value) {
    if (open_cell(column, 0, "")) {
        auto& b = zip_->buffer();
        b += "<v>";
        append_int(b, value);
        b += "</v></c>";
    }
}

void XlsxSheet::boolean(std::size_t column, bool value) {
    if (open_cell(column, 0, " t=\"b\"")) {
        zip_->buffer() += value ? "<v>1</v></c>" : "<v>0</v></c>";
    }
}

void XlsxSheet::time(std::size_t column, std::int64_t unix_seconds) {
    if (open_cell(column, kXlsxTimeStyle, "")) {
        auto& b = zip_->buffer();
        b += "<v>";
        append_double(b, xlsx_serial_time(unix_seconds));
        b += "</v></c>";
    }
}

void XlsxSheet::next_row() {
    if (row_open_) {
        zip_->buffer() += "</row>";
        zip_->wrote();
        row_open_ = false;
    }
    ++row_;
    row_number_ = std::to_string(static_cast<std::uint64_t>(row_) + 1);
}

void XlsxSheet::close() {
    if (zip_ == nullptr) {
        return;
    }
    if (row_open_) {
        zip_->buffer() += "</row>";
        row_open_ = false;
    }
    zip_->write("</sheetData>");
    if (!filter_.empty()) {
        zip_->write("<autoFilter ref=\"" + filter_ + "\"/>");
    }
    // The page margins as libxlsxwriter ends a sheet.
    zip_->write(
        "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" "
        "footer=\"0.3\"/></worksheet>");
    zip_->end();
    zip_ = nullptr;
}

}  // namespace tally::server
