// An XLSX workbook in one pass (see xlsx_book.h): the book (package, sheets' order, names).
// The cells are xlsx_sheet.cpp.

#include "server/report/xlsx_book.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "server/report/xlsx_parts.h"
#include "server/report/xlsx_text.h"
#include "server/report/xlsx_zip.h"

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

//! Excel's rules for a sheet name ("" when `name` follows them).
std::string name_problem(const std::string& name, const std::vector<XlsxSheetInfo>& taken) {
    if (name.empty() || name.size() > 31) {
        return "a sheet name has 1 to 31 characters";
    }
    if (name.find_first_of("[]:*?/\\") != std::string::npos || name.front() == '\'' ||
        name.back() == '\'') {
        return "a sheet name holds none of []:*?/\\ and neither starts nor ends with '";
    }
    const auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    };
    for (const auto& sheet : taken) {
        if (lower(sheet.name) == lower(name)) {
            return "the sheet name is used twice";
        }
    }
    return "";
}

//! A column width as libxlsxwriter stores it (Excel's characters plus its cell padding).
std::string stored_width(double width) {
    constexpr double kDigit = 7;
    constexpr double kPadding = 5;
    double w = 0;
    if (width >= 1) {
        w = static_cast<std::uint16_t>(
                (static_cast<std::uint16_t>(width * kDigit + 0.5) + kPadding) / kDigit * 256.0) /
            256.0;
    } else if (width > 0) {
        w = static_cast<std::uint16_t>(
                static_cast<std::uint16_t>(width * (kDigit + kPadding) + 0.5) / kDigit * 256.0) /
            256.0;
    }
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, w, std::chars_format::general, 16).ptr;
    return std::string(buf, end);
}

//! The sheet's XML up to its first row: dimension, frozen header pane, column widths.
std::string sheet_head(const std::vector<XlsxColumn>& columns, std::size_t data_rows,
                       bool selected) {
    std::string x =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet "
        "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<dimension ref=\"A1";
    if (!columns.empty()) {
        x += ":" + xlsx_column_name(columns.size() - 1) +
             std::to_string(std::min(data_rows, kMaxRows) + 1);
    }
    x += "\"/><sheetViews><sheetView ";
    x += selected ? "tabSelected=\"1\" " : "";
    x += "workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
         "state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView></sheetViews>"
         "<sheetFormatPr defaultRowHeight=\"15\"/>";
    if (!columns.empty()) {
        x += "<cols>";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto n = std::to_string(c + 1);
            x += "<col min=\"" + n + "\" max=\"" + n + "\" width=\"" +
                 stored_width(columns[c].width) + "\" customWidth=\"1\"/>";
        }
        x += "</cols>";
    }
    return x + "<sheetData>";
}

}  // namespace

struct XlsxBook::State {
    std::filesystem::path dir;
    std::filesystem::path file;
    std::ofstream out;
    std::unique_ptr<ZipStream> zip;
    std::int64_t created = 0;
    std::vector<std::unique_ptr<XlsxSheet>> sheets;
    std::vector<XlsxSheetInfo> infos;  // of the sheets written (a refused one has none)

    ~State() {
        zip.reset();
        out.close();
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
    state->created = created;
    state->out.open(state->file, std::ios::binary | std::ios::trunc);
    if (!state->out) {
        return make_error("io",
                          "cannot write the XLSX book's temporary file " + state->file.string());
    }
    state->zip = std::make_unique<ZipStream>(state->out);
    return XlsxBook(std::move(state));
}

XlsxBook::XlsxBook(std::unique_ptr<State> state) : state_(std::move(state)) {}
XlsxBook::XlsxBook(XlsxBook&&) noexcept = default;
XlsxBook::~XlsxBook() = default;

XlsxSheet& XlsxBook::add_sheet(const std::string& name, const std::vector<XlsxColumn>& columns,
                               std::size_t data_rows) {
    if (!state_->sheets.empty()) {
        state_->sheets.back()->close();
    }
    const auto problem = name_problem(name, state_->infos);
    if (!problem.empty()) {
        auto refused = std::make_unique<XlsxSheet>(nullptr, name, 0);
        refused->fail(problem);
        state_->sheets.push_back(std::move(refused));
        return *state_->sheets.back();
    }
    XlsxSheetInfo info{name, ""};
    if (!columns.empty()) {
        const auto last = std::to_string(std::min(data_rows, kMaxRows) + 1);
        info.filter = "$A$1:$" + xlsx_column_name(columns.size() - 1) + "$" + last;
    }
    state_->infos.push_back(info);
    auto& zip = *state_->zip;
    zip.begin("xl/worksheets/sheet" + std::to_string(state_->infos.size()) + ".xml");
    zip.write(sheet_head(columns, data_rows, state_->infos.size() == 1));
    state_->sheets.push_back(std::make_unique<XlsxSheet>(&zip, name, columns.size()));
    auto& sheet = *state_->sheets.back();
    if (!columns.empty()) {
        sheet.filter_ = "A1:" + xlsx_column_name(columns.size() - 1) +
                        std::to_string(std::min(data_rows, kMaxRows) + 1);
    }
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (sheet.open_cell(c, kXlsxBoldStyle, " t=\"inlineStr\"")) {
            auto& b = zip.buffer();
            b += "<is><t>";
            xlsx_xml_escape(b, xlsx_cell_text(columns[c].name));
            b += "</t></is></c>";
        }
    }
    sheet.next_row();
    return sheet;
}

Result<void> XlsxBook::finish(std::ostream& out) {
    if (!state_->sheets.empty()) {
        state_->sheets.back()->close();
    }
    for (const auto& sheet : state_->sheets) {
        if (!sheet->error_.empty()) {
            return make_error("xlsx", "sheet \"" + sheet->name_ + "\": " + sheet->error_);
        }
    }
    auto& zip = *state_->zip;
    const auto part = [&](const std::string& name, const std::string& xml) {
        zip.begin(name);
        zip.write(xml);
        zip.end();
    };
    const auto& infos = state_->infos;
    part("xl/workbook.xml", xlsx_workbook(infos));
    part("xl/_rels/workbook.xml.rels", xlsx_workbook_rels(infos.size()));
    part("xl/styles.xml", xlsx_styles());
    part("docProps/core.xml", xlsx_core_properties(state_->created));
    part("docProps/app.xml", xlsx_app_properties(infos));
    part("_rels/.rels", xlsx_root_rels());
    part("[Content_Types].xml", xlsx_content_types(infos.size()));
    if (auto done = zip.finish(); !done) {
        return done.error();
    }
    state_->out.close();
    if (!state_->out) {
        return make_error("io",
                          "cannot write the XLSX book's temporary file " + state_->file.string());
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
