// Streaming worksheet XML (see xlsx_sheet.h). The markup follows what libxlsxwriter writes in
// constant_memory mode, which Excel opens without a repair prompt.

#include "server/report/xlsx_sheet.h"

#include <charconv>
#include <cmath>

#include "server/report/xlsx_escape.h"

namespace tally::server {
namespace {

constexpr std::size_t kMaxRows = 1048576;  // Excel's limits
constexpr std::size_t kMaxColumns = 16384;
constexpr std::size_t kFlushAt = 128 * 1024;

void append_number(std::string& out, std::int64_t v) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out.append(digits, end);
}

void append_double(std::string& out, double v) {
    char digits[32];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;  // shortest exact
    out.append(digits, end);
}

//! Excel's stored column width for `width` characters (Calibri 11: 7-pixel digits, 5 padding),
//! as Excel and libxlsxwriter compute it: 14 → 14.7109375.
double stored_width(double width) {
    return std::floor((width * 7 + 5) / 7 * 256) / 256;
}

}  // namespace

XlsxSheetPart join_sheet_parts(std::vector<XlsxSheetPart> parts) {
    if (parts.empty()) {
        return {};
    }
    std::vector<Deflated> xml;
    for (auto& part : parts) {
        xml.push_back(std::move(part.xml));
    }
    return XlsxSheetPart{std::move(parts.front().name), std::move(parts.front().filter_ref),
                         join_deflated(std::move(xml))};
}

std::string xlsx_column_name(std::size_t column) {
    std::string name;
    for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) {
        name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
    }
    return name;
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

XlsxSheet::XlsxSheet(std::string name, DeflateStream stream)
    : name_(std::move(name)), stream_(std::move(stream)) {}

Result<XlsxSheet> XlsxSheet::create(std::string name, const std::vector<XlsxColumn>& columns,
                                    std::size_t data_rows, bool selected) {
    return create_part(std::move(name), columns, data_rows, selected, 0, data_rows);
}

Result<XlsxSheet> XlsxSheet::create_part(std::string name, const std::vector<XlsxColumn>& columns,
                                         std::size_t data_rows, bool selected,
                                         std::size_t first_row, std::size_t rows) {
    if (columns.empty() || columns.size() > kMaxColumns) {
        return make_error("xlsx", "sheet " + name + ": between 1 and 16384 columns");
    }
    if (data_rows >= kMaxRows) {
        return make_error("xlsx", "sheet " + name + ": " + std::to_string(data_rows) +
                                      " rows do not fit in an Excel sheet (1048575 at most)");
    }
    if (first_row > data_rows || rows > data_rows - first_row) {
        return make_error("xlsx", "sheet " + name + ": part beyond the sheet's rows");
    }
    auto stream = DeflateStream::create();
    if (!stream) {
        return stream.error();
    }
    XlsxSheet sheet(std::move(name), std::move(*stream));
    sheet.rows_ = rows;
    sheet.last_ = first_row + rows == data_rows;
    sheet.first_row_ = first_row;
    sheet.row_ = first_row + 2;
    sheet.row_digits_ = std::to_string(sheet.row_);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        sheet.column_names_.push_back(xlsx_column_name(c));
    }
    sheet.filter_ref_ = "A1:" + sheet.column_names_.back() +
                        std::to_string(static_cast<std::uint64_t>(data_rows) + 1);
    if (first_row != 0) {
        return sheet;
    }

    auto& out = sheet.buffer_;
    out.reserve(kFlushAt + 4096);
    out +=
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<dimension ref=\"";
    out += sheet.filter_ref_;
    out += "\"/><sheetViews><sheetView ";
    if (selected) {
        out += "tabSelected=\"1\" ";
    }
    out +=
        "workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
        "state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView></sheetViews>"
        "<sheetFormatPr defaultRowHeight=\"15\"/><cols>";
    for (std::size_t c = 0; c < columns.size(); ++c) {
        out += "<col min=\"";
        append_number(out, static_cast<std::int64_t>(c + 1));
        out += "\" max=\"";
        append_number(out, static_cast<std::int64_t>(c + 1));
        out += "\" width=\"";
        append_double(out, stored_width(columns[c].width));
        out += "\" customWidth=\"1\"/>";
    }
    out += "</cols><sheetData><row r=\"1\">";
    for (std::size_t c = 0; c < columns.size(); ++c) {
        out += "<c r=\"";
        out += sheet.column_names_[c];
        out += "1\" s=\"1\" t=\"inlineStr\"><is><t>";
        append_xlsx_text(out, columns[c].name);
        out += "</t></is></c>";
    }
    out += "</row>";
    return sheet;
}

void XlsxSheet::cell_start(std::size_t column) {
    if (!row_open_) {
        buffer_ += "<row r=\"";
        buffer_ += row_digits_;
        buffer_ += "\">";
        row_open_ = true;
    }
    buffer_ += "<c r=\"";
    buffer_ += column < column_names_.size() ? column_names_[column] : xlsx_column_name(column);
    buffer_ += row_digits_;
    buffer_ += '"';
}

void XlsxSheet::text(std::size_t column, std::string_view value) {
    if (value.empty()) {
        return;
    }
    cell_start(column);
    buffer_ += xlsx_needs_space_preserve(value) ? " t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                                                : " t=\"inlineStr\"><is><t>";
    append_xlsx_text(buffer_, value);
    buffer_ += "</t></is></c>";
    flush_if_full();
}

void XlsxSheet::number(std::size_t column, std::int64_t value) {
    cell_start(column);
    buffer_ += "><v>";
    append_number(buffer_, value);
    buffer_ += "</v></c>";
    flush_if_full();
}

void XlsxSheet::boolean(std::size_t column, bool value) {
    cell_start(column);
    buffer_ += value ? " t=\"b\"><v>1</v></c>" : " t=\"b\"><v>0</v></c>";
    flush_if_full();
}

void XlsxSheet::time(std::size_t column, std::int64_t unix_seconds) {
    cell_start(column);
    buffer_ += " s=\"2\"><v>";
    append_double(buffer_, xlsx_serial_time(unix_seconds));
    buffer_ += "</v></c>";
    flush_if_full();
}

void XlsxSheet::next_row() {
    if (row_open_) {
        buffer_ += "</row>";
        row_open_ = false;
    }
    ++row_;
    row_digits_.clear();
    append_number(row_digits_, static_cast<std::int64_t>(row_));
}

void XlsxSheet::flush_if_full() {
    if (buffer_.size() < kFlushAt) {
        return;
    }
    if (status_) {
        status_ = stream_.write(buffer_);
    }
    buffer_.clear();
}

Result<XlsxSheetPart> XlsxSheet::finish() {
    if (row_open_) {
        next_row();
    }
    const auto written = row_ - 2 - first_row_;
    if (written != rows_) {
        return make_error("xlsx", "sheet " + name_ + ": " + std::to_string(written) +
                                      " rows written, " + std::to_string(rows_) + " announced");
    }
    if (last_) {
        buffer_ += "</sheetData><autoFilter ref=\"";
        buffer_ += filter_ref_;
        buffer_ +=
            "\"/><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" "
            "bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>";
    }
    if (status_) {
        status_ = stream_.write(buffer_);
    }
    if (!status_) {
        return status_.error();
    }
    buffer_.clear();
    buffer_.shrink_to_fit();
    auto xml = stream_.finish(last_);
    if (!xml) {
        return xml.error();
    }
    return XlsxSheetPart{name_, filter_ref_, std::move(*xml)};
}

}  // namespace tally::server
