// The XLSX sheet writer: text escaping (XML, Excel's _xHHHH_, invalid UTF-8), column names,
// date serials, and a sheet's XML inflated back: cells, row numbers, dimension, autofilter.

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

#include "server/report/xlsx_escape.h"
#include "server/report/xlsx_sheet.h"

using namespace tally::server;

namespace {

std::string esc(std::string_view s) {
    std::string out;
    append_xlsx_text(out, s);
    return out;
}

std::string inflate_raw(const Deflated& d) {
    z_stream z{};
    REQUIRE(inflateInit2(&z, -15) == Z_OK);
    std::string out(d.size, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(d.data.data()));
    z.avail_in = static_cast<uInt>(d.data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
    inflateEnd(&z);
    return out;
}

}  // namespace

TEST_CASE("cell text: XML markup escaped") {
    CHECK(esc("plain text 123") == "plain text 123");
    CHECK(esc("a&b<c>d\"e'") == "a&amp;b&lt;c&gt;d&quot;e'");
    CHECK(esc("&&") == "&amp;&amp;");
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

TEST_CASE("leading or trailing whitespace needs xml:space=preserve") {
    CHECK(xlsx_needs_space_preserve(" a"));
    CHECK(xlsx_needs_space_preserve("a\n"));
    CHECK_FALSE(xlsx_needs_space_preserve("a b"));
    CHECK_FALSE(xlsx_needs_space_preserve(""));
}

TEST_CASE("column names and date serials") {
    CHECK(xlsx_column_name(0) == "A");
    CHECK(xlsx_column_name(25) == "Z");
    CHECK(xlsx_column_name(26) == "AA");
    CHECK(xlsx_column_name(701) == "ZZ");
    CHECK(xlsx_column_name(702) == "AAA");
    CHECK(xlsx_column_name(16383) == "XFD");
    CHECK(xlsx_serial_time(0) == 25569.0);                 // 1970-01-01
    CHECK(xlsx_serial_time(1795780800) == 46353.5);        // 2026-11-27T12:00:00Z
    CHECK(xlsx_serial_time(-2203891200) == 61.0);          // 1900-03-01
    CHECK(xlsx_serial_time(-2203891200 - 86400) == 59.0);  // 1900-02-28 (Excel's 29th is 60)
}

TEST_CASE("a sheet's XML: header, typed cells, skipped empties, dimension and autofilter") {
    auto sheet =
        XlsxSheet::create("Tést & co", {{"name", 14}, {"count", 14}, {"when", 22}}, 2, false);
    REQUIRE(sheet.ok());
    sheet->text(0, "a<b");
    sheet->number(1, -9007199254740993);  // beyond 2^53: written exactly
    sheet->time(2, 0);
    sheet->next_row();
    sheet->text(0, "");  // no cell
    sheet->boolean(1, true);
    sheet->text(2, " padded");
    sheet->next_row();
    auto part = sheet->finish();
    REQUIRE(part.ok());
    CHECK(part->name == "Tést & co");
    CHECK(part->filter_ref == "A1:C3");
    const auto xml = inflate_raw(part->xml);
    CHECK(xml.find("<dimension ref=\"A1:C3\"/>") != std::string::npos);
    CHECK(xml.find("<col min=\"3\" max=\"3\" width=\"22.7109375\" customWidth=\"1\"/>") !=
          std::string::npos);
    CHECK(xml.find("<c r=\"B1\" s=\"1\" t=\"inlineStr\"><is><t>count</t></is></c>") !=
          std::string::npos);
    CHECK(xml.find("<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a&lt;b</t></is></c>"
                   "<c r=\"B2\"><v>-9007199254740993</v></c>"
                   "<c r=\"C2\" s=\"2\"><v>25569</v></c></row>") != std::string::npos);
    CHECK(xml.find("<row r=\"3\"><c r=\"B3\" t=\"b\"><v>1</v></c><c r=\"C3\" t=\"inlineStr\">"
                   "<is><t xml:space=\"preserve\"> padded</t></is></c></row>") !=
          std::string::npos);
    CHECK(xml.find("A3") == std::string::npos);
    CHECK(xml.find("<autoFilter ref=\"A1:C3\"/>") != std::string::npos);
    CHECK(xml.find("tabSelected") == std::string::npos);
    CHECK(xml.substr(xml.size() - 12) == "</worksheet>");
}

TEST_CASE("a sheet refuses a row count other than the one announced") {
    auto sheet = XlsxSheet::create("S", {{"a", 14}}, 2, true);
    REQUIRE(sheet.ok());
    sheet->number(0, 1);
    sheet->next_row();
    const auto part = sheet->finish();
    REQUIRE_FALSE(part.ok());
    CHECK(part.error().code == "xlsx");
    CHECK_FALSE(XlsxSheet::create("S", {{"a", 14}}, 1048576, false).ok());  // Excel's limit
}

TEST_CASE("a sheet written in parts joins to the same XML as written whole") {
    const std::vector<XlsxColumn> cols = {{"id", 14}, {"n", 14}};
    const auto fill = [](XlsxSheet& sheet, std::size_t first, std::size_t count) {
        for (std::size_t i = first; i < first + count; ++i) {
            sheet.text(0, "row " + std::to_string(i));
            sheet.number(1, static_cast<std::int64_t>(i * i));
            sheet.next_row();
        }
    };
    auto whole = XlsxSheet::create("Devices", cols, 5000, false);
    REQUIRE(whole.ok());
    fill(*whole, 0, 5000);
    auto expected = whole->finish();
    REQUIRE(expected.ok());

    std::vector<XlsxSheetPart> parts;
    for (const auto& [first, count] : {std::pair{0, 1000}, {1000, 3999}, {4999, 1}}) {
        auto part = XlsxSheet::create_part("Devices", cols, 5000, false, first, count);
        REQUIRE(part.ok());
        fill(*part, first, count);
        auto done = part->finish();
        REQUIRE(done.ok());
        parts.push_back(std::move(*done));
    }
    const auto joined = join_sheet_parts(std::move(parts));
    CHECK(joined.name == "Devices");
    CHECK(joined.filter_ref == "A1:B5001");
    CHECK(joined.xml.size == expected->xml.size);
    CHECK(joined.xml.crc32 == expected->xml.crc32);
    CHECK(inflate_raw(joined.xml) == inflate_raw(expected->xml));

    CHECK_FALSE(XlsxSheet::create_part("Devices", cols, 5000, false, 4000, 1001).ok());
}
