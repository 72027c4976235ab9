// XLSX exports through our one-pass writer (issue 20): cell text made safe (Excel's _xHHHH_,
// invalid UTF-8, the 32,767-character cell limit), date serials, and a large generated report
// written in constant-memory mode whose memory does not grow with its rows and which openpyxl
// reads back (strings that look like formulas stay strings).

#include <stdlib.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "server/report/usage_xlsx.h"
#include "server/report/xlsx_book.h"
#include "server/report/xlsx_text.h"

using namespace tally::server;

namespace {

std::string esc(std::string_view s) {
    return xlsx_cell_text(s);
}

//! This process's peak resident set (VmHWM) in KiB.
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

//! A report of `n` devices and `n` users, with hostile text in its first rows.
UsageReport generated_report(std::size_t n) {
    UsageReport r;
    r.tenant = "acme";
    r.month = "2026-11";
    r.generated_at = 1795780800;
    r.summary.time_zone = "UTC";
    r.devices.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        DeviceReportRow row;
        row.usage.device.id = "dev_" + std::to_string(1000000 + i);
        row.usage.device.facts.hostname = "pc-" + std::to_string(i);
        row.usage.device.facts.device_type = "business";
        row.usage.device.facts.role = "workstation";
        row.usage.device.last_seq = 8640;
        row.usage.device.last_seen = 1795780800 - static_cast<std::int64_t>(i % 3600);
        row.usage.active_minutes = static_cast<std::int64_t>(i % 9000);
        row.usage.active_days = 21;
        row.usage.heartbeats = 8640;
        row.usage.users = {"u" + std::to_string(i) + "@corp.example", "itadmin"};
        row.active = true;
        row.explanation = "active; covered by its paired user's license";
        r.devices.push_back(std::move(row));
        tally::server::billing::UserBilling u;
        u.principal = "u" + std::to_string(i) + "@corp.example";
        u.package = "core";
        u.active_minutes = 600;
        u.first_seen = 1793491200;
        u.last_seen = 1795780800;
        r.users.push_back(std::move(u));
    }
    r.devices[0].usage.device.facts.hostname = "=HYPERLINK(\"http://x\",\"y\")";
    r.devices[1].usage.device.facts.hostname = "caf\xC3\xA9\xFFz";
    r.devices[2].usage.device.facts.hostname = std::string(40000, 'h');
    r.devices[3].usage.device.facts.hostname = "+1-2@A";
    return r;
}

}  // namespace

TEST_CASE("cell text: markup left to the sheet's XML escaping, kept as it is") {
    CHECK(esc("plain text 123") == "plain text 123");
    CHECK(esc("a&b<c>d\"e'") == "a&b<c>d\"e'");
    CHECK(esc("") == "");
}

TEST_CASE("cell text: characters XML 1.0 cannot carry as Excel's _xHHHH_") {
    CHECK(esc(std::string("\0", 1)) == "_x0000_");
    CHECK(esc("a\x01z\x1f") == "a_x0001_z_x001F_");
    CHECK(esc("\x0b\x0c\r") == "_x000B__x000C__x000D_");
    CHECK(esc("tab\tline\n") == "tab\tline\n");  // allowed as they are
    CHECK(esc("\xEF\xBF\xBE|\xEF\xBF\xBF") == "_xFFFE_|_xFFFF_");
    CHECK(esc("\xEF\xBF\xBD") == "\xEF\xBF\xBD");  // U+FFFD itself is fine
}

TEST_CASE("cell text: a literal _xHHHH_ is escaped so Excel reads it back unchanged") {
    CHECK(esc("_x0041_") == "_x005F_x0041_");
    CHECK(esc("a_x00fF_b_x1234_") == "a_x005F_x00fF_b_x005F_x1234_");
    CHECK(esc("_x004_") == "_x004_");    // too short
    CHECK(esc("_x00G1_") == "_x00G1_");  // not hex
    CHECK(esc("_x0041") == "_x0041");    // no closing '_'
    CHECK(esc("__x0041_") == "__x005F_x0041_");
    CHECK(esc("snake_case_x") == "snake_case_x");
}

TEST_CASE("cell text: UTF-8 kept, bytes that are not UTF-8 become U+FFFD") {
    CHECK(esc("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
          "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(esc("a\xFFz") == "a" + fffd + "z");
    CHECK(esc("\xC3") == fffd);                                   // truncated
    CHECK(esc("\xC0\x80") == fffd + fffd);                        // overlong
    CHECK(esc("\xED\xA0\x80") == fffd + fffd + fffd);             // a surrogate
    CHECK(esc("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // beyond U+10FFFF
}

TEST_CASE("cell text: cut to Excel's 32,767 characters (UTF-16 units), ending with U+2026") {
    const std::string ellipsis = "\xE2\x80\xA6";
    CHECK(esc(std::string(32767, 'a')) == std::string(32767, 'a'));  // exactly the limit
    CHECK(esc(std::string(32768, 'a')) == std::string(32766, 'a') + ellipsis);
    // 3-byte characters: one unit each, so 32,767 of them fit.
    std::string euros;
    for (int i = 0; i < 32767; ++i) {
        euros += "\xE2\x82\xAC";
    }
    CHECK(esc(euros) == euros);
    // Beyond the BMP: two units each; 16,384 of them are 32,768 units, one too many.
    std::string faces;
    for (int i = 0; i < 16384; ++i) {
        faces += "\xF0\x9F\x98\x80";
    }
    const auto cut = esc(faces);
    CHECK(cut.size() == 16383 * 4 + 3);  // 16,383 faces (32,766 units) and the ellipsis
    CHECK(cut.substr(cut.size() - 3) == ellipsis);
    // Escapes count as what they are in the cell: the cut applies after escaping.
    CHECK(esc(std::string(32767, '\x01')).size() == 32766 + 3);  // "_x0001_"… then "…"
}

TEST_CASE("date serials") {
    CHECK(xlsx_serial_time(0) == 25569.0);                 // 1970-01-01
    CHECK(xlsx_serial_time(1795780800) == 46353.5);        // 2026-11-27T12:00:00Z
    CHECK(xlsx_serial_time(-2203891200) == 61.0);          // 1900-03-01
    CHECK(xlsx_serial_time(-2203891200 - 86400) == 59.0);  // 1900-02-28 (Excel's 29th is 60)
}

TEST_CASE("a sheet beyond Excel's rows is an xlsx error naming it, not a corrupt file") {
    auto book = XlsxBook::create(0);
    REQUIRE(book.ok());
    auto& sheet = book->add_sheet("Big", {{"a", 10.0}}, 2);
    for (int i = 0; i < 1048576; ++i) {
        sheet.next_row();
    }
    sheet.number(0, 1);  // row 1,048,577
    std::ostringstream out;
    auto r = book->finish(out);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "xlsx");
    CHECK(r.error().message.find("Big") != std::string::npos);
}

TEST_CASE("the one-pass book: white space kept, markup escaped, large numbers, openpyxl reads") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("tally-xlsx-cells-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "cells.xlsx";
    {
        auto book = XlsxBook::create(1795780800);
        REQUIRE(book.ok());
        auto& sheet = book->add_sheet("Cells & <more>", {{"a", 10.0}, {"b", 10.0}}, 3);
        sheet.text(0, "  lead and trail\t");
        sheet.text(1, "a&b<c>d\"e'");
        sheet.next_row();
        sheet.number(0, 123456789012345678);  // beyond 10^16: written as "%.16G" does
        sheet.number(1, -42);
        sheet.next_row();
        sheet.boolean(0, false);
        sheet.time(1, 1795780800);
        sheet.next_row();
        std::ofstream out(file, std::ios::binary);
        REQUIRE(book->finish(out).ok());
    }
    const auto script = dir / "check.py";
    std::ofstream(script) << R"(import sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
assert wb.sheetnames == ["Cells & <more>"], wb.sheetnames
rows = list(wb.worksheets[0].iter_rows(values_only=True))
assert rows[0] == ("a", "b"), rows[0]
assert rows[1] == ("  lead and trail\t", "a&b<c>d\"e'"), rows[1]
assert rows[2] == (1.234567890123457e17, -42), rows[2]
assert rows[3] == (False, datetime.datetime(2026, 11, 27, 12, 0)), rows[3]
print("ok")
)";
    const auto cmd = "/usr/bin/python3 " + script.string() + " " + file.string();
    const int status = std::system(cmd.c_str());
    std::filesystem::remove_all(dir);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a sheet name Excel refuses, or used twice, is an xlsx error naming it") {
    for (const std::string& bad :
         std::vector<std::string>{"a/b", "", std::string(32, 'x'), "'quoted'", "Twice"}) {
        auto book = XlsxBook::create(0);
        REQUIRE(book.ok());
        book->add_sheet("twice", {{"a", 10.0}}, 0);
        book->add_sheet(bad, {{"a", 10.0}}, 0).text(0, "x");
        std::ostringstream out;
        auto r = book->finish(out);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "xlsx");
        CHECK(r.error().message.find("sheet \"" + bad + "\"") != std::string::npos);
        CHECK(out.str().empty());
    }
}

TEST_CASE("a large report: memory flat in the rows, openpyxl reads it") {
    constexpr std::size_t kDevices = 100000;
    const auto report = generated_report(kDevices);
    const auto dir =
        std::filesystem::temp_directory_path() / ("tally-xlsx-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "usage.xlsx";
    const long before = peak_rss_kib();
    {
        std::ofstream out(file, std::ios::binary);
        auto written = write_usage_xlsx(report, out);
        REQUIRE(written.ok());
    }
    const long grown = peak_rss_kib() - before;
    // The report itself is built before; writing 200,000 rows (~25 MB of XML, 8 MB zipped)
    // must not add memory in proportion (our former writer added ~34 MB for these rows).
    INFO("peak RSS grew by " << grown << " KiB while writing");
#if defined(__SANITIZE_ADDRESS__)
    // Under ASan freed memory stays in quarantine and shadow memory grows with every
    // allocation, so RSS does not measure the writer there; the normal build checks it.
    WARN("ASan build: peak RSS growth not checked (" << grown << " KiB)");
#else
    CHECK(grown < 16 * 1024);
#endif

    // openpyxl (python3-openpyxl) reads the file back: sheets, row counts, hostile text.
    const auto script = dir / "check.py";
    std::ofstream(script) << R"(import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
assert wb.sheetnames == ["Summary", "Packages", "Users", "Devices", "Late adjustments"], wb.sheetnames
devices = wb["Devices"]
rows = list(devices.iter_rows(min_row=1, max_row=5))
assert rows[0][0].value == "device_id"
host = [r[1] for r in rows[1:]]
assert host[0].data_type == "s" and host[0].value == '=HYPERLINK("http://x","y")', host[0].value
assert host[1].value == "caf\u00e9\ufffdz", host[1].value
assert len(host[2].value) == 32767 and host[2].value.endswith("\u2026"), len(host[2].value)
assert host[3].data_type == "s" and host[3].value == "+1-2@A"
assert rows[1][11].value == 8640 and rows[1][8].value is True
assert devices.max_row == 100001, devices.max_row
assert wb["Users"].max_row == 100001, wb["Users"].max_row
print("ok")
)";
    const auto cmd = "/usr/bin/python3 " + script.string() + " " + file.string();
    const int status = std::system(cmd.c_str());
    std::filesystem::remove_all(dir);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
