// XLSX package parts and their zip (see xlsx_workbook.h).

#include "server/report/xlsx_workbook.h"

#include <algorithm>
#include <utility>

#include "pairing/time_format.h"
#include "server/report/xlsx_escape.h"
#include "server/report/xlsx_theme.h"
#include "server/report/zip_writer.h"

namespace tally::server {
namespace {

constexpr const char* kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr const char* kSheetType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
constexpr const char* kRelNs = "http://schemas.openxmlformats.org/package/2006/relationships";
constexpr const char* kDocRel =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string escaped(const std::string& text) {
    std::string out;
    append_xlsx_text(out, text);
    return out;
}

//! The sheet name as a formula refers to it: quoted unless letters, digits, '_' and '.' only.
std::string quoted_sheet(const std::string& name) {
    const bool plain = std::all_of(name.begin(), name.end(),
                                   [](char c) {
                                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                              (c >= '0' && c <= '9') || c == '_' || c == '.';
                                   }) &&
                       !(name.front() >= '0' && name.front() <= '9');
    if (plain) {
        return name;
    }
    std::string out = "'";
    for (const char c : name) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

//! "A1:O1001" → "$A$1:$O$1001".
std::string absolute(const std::string& ref) {
    std::string out;
    bool letters = false;
    for (const char c : ref) {
        const bool letter = c >= 'A' && c <= 'Z';
        if (letter && !letters) {
            out += '$';
        } else if (c >= '0' && c <= '9' && letters) {
            out += '$';
        }
        letters = letter;
        out += c;
    }
    return out;
}

std::string content_types(std::size_t sheets) {
    std::string x = kXmlDecl;
    x += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
         "<Default Extension=\"rels\" "
         "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
         "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
         "<Override PartName=\"/docProps/app.xml\" "
         "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
         "<Override PartName=\"/docProps/core.xml\" "
         "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
         "<Override PartName=\"/xl/styles.xml\" "
         "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
         "<Override PartName=\"/xl/theme/theme1.xml\" "
         "ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>"
         "<Override PartName=\"/xl/workbook.xml\" "
         "ContentType=\"application/"
         "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>";
    for (std::size_t i = 1; i <= sheets; ++i) {
        x += "<Override PartName=\"/xl/worksheets/sheet" + std::to_string(i) +
             ".xml\" ContentType=\"" + kSheetType + "\"/>";
    }
    return x + "</Types>";
}

std::string root_rels() {
    std::string x = kXmlDecl;
    x += std::string("<Relationships xmlns=\"") + kRelNs + "\">" +
         "<Relationship Id=\"rId1\" Type=\"" + kDocRel +
         "/officeDocument\" Target=\"xl/workbook.xml\"/>"
         "<Relationship Id=\"rId2\" Type=\"" +
         kRelNs +
         "/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
         "<Relationship Id=\"rId3\" Type=\"" +
         kDocRel + "/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>";
    return x;
}

std::string workbook_rels(std::size_t sheets) {
    std::string x = kXmlDecl;
    x += std::string("<Relationships xmlns=\"") + kRelNs + "\">";
    for (std::size_t i = 1; i <= sheets; ++i) {
        const auto n = std::to_string(i);
        x += "<Relationship Id=\"rId" + n + "\" Type=\"" + kDocRel +
             "/worksheet\" Target=\"worksheets/sheet" + n + ".xml\"/>";
    }
    x += "<Relationship Id=\"rId" + std::to_string(sheets + 1) + "\" Type=\"" + kDocRel +
         "/theme\" Target=\"theme/theme1.xml\"/>";
    x += "<Relationship Id=\"rId" + std::to_string(sheets + 2) + "\" Type=\"" + kDocRel +
         "/styles\" Target=\"styles.xml\"/>";
    return x + "</Relationships>";
}

std::string workbook(const std::vector<XlsxSheetPart>& sheets) {
    std::string x = kXmlDecl;
    x += "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
         "xmlns:r=\"" +
         std::string(kDocRel) +
         "\"><fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>"
         "<workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" "
         "yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>";
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        const auto n = std::to_string(i + 1);
        x += "<sheet name=\"" + escaped(sheets[i].name) + "\" sheetId=\"" + n + "\" r:id=\"rId" +
             n + "\"/>";
    }
    x += "</sheets>";
    // Excel lists defined names sorted; for one name, by the formula (as libxlsxwriter does).
    std::vector<std::pair<std::string, std::size_t>> filters;
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        if (!sheets[i].filter_ref.empty()) {
            filters.emplace_back(
                quoted_sheet(sheets[i].name) + "!" + absolute(sheets[i].filter_ref), i);
        }
    }
    std::sort(filters.begin(), filters.end());
    if (!filters.empty()) {
        x += "<definedNames>";
        for (const auto& [formula, sheet] : filters) {
            x += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"" +
                 std::to_string(sheet) + "\" hidden=\"1\">" + escaped(formula) + "</definedName>";
        }
        x += "</definedNames>";
    }
    return x + "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>";
}

std::string app(const std::vector<XlsxSheetPart>& sheets) {
    const auto count = std::to_string(sheets.size());
    std::string x = kXmlDecl;
    x += "<Properties "
         "xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" "
         "xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">"
         "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
         "<ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size=\"2\" baseType=\"variant\">"
         "<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>" +
         count +
         "</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size=\"" +
         count + "\" baseType=\"lpstr\">";
    for (const auto& sheet : sheets) {
        x += "<vt:lpstr>" + escaped(sheet.name) + "</vt:lpstr>";
    }
    return x +
           "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false"
           "</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false"
           "</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>";
}

std::string core(std::int64_t created_at) {
    const auto when = pairing::format_rfc3339(created_at);
    std::string x = kXmlDecl;
    x += "<cp:coreProperties "
         "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
         "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
         "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
         "xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:creator></dc:creator>"
         "<cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">" +
         when + "</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">" + when +
         "</dcterms:modified></cp:coreProperties>";
    return x;
}

std::string styles() {
    std::string x = kXmlDecl;
    const std::string font =
        "<sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/>"
        "<family val=\"2\"/><scheme val=\"minor\"/></font>";
    x += "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
         "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/>"
         "</numFmts><fonts count=\"2\"><font>" +
         font + "<font><b/>" + font +
         "</fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill>"
         "<patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border>"
         "<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\">"
         "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
         "<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "
         "xfId=\"0\"/><xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
         "applyFont=\"1\"/><xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "
         "xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs><cellStyles count=\"1\"><cellStyle "
         "name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles><dxfs count=\"0\"/>"
         "<tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" "
         "defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>";
    return x;
}

Result<void> add(ZipWriter& zip, const std::string& name, const std::string& xml) {
    auto deflated = deflate_all(xml);
    if (!deflated) {
        return deflated.error();
    }
    return zip.add(name, *deflated);
}

}  // namespace

Result<std::string> xlsx_workbook(const std::vector<XlsxSheetPart>& sheets,
                                  std::int64_t created_at) {
    if (sheets.empty() || sheets.size() > 255) {
        return make_error("xlsx", "a workbook has 1 to 255 sheets");
    }
    ZipWriter zip;
    // Same parts in the same order as libxlsxwriter.
    const std::pair<std::string, std::string> head[] = {
        {"[Content_Types].xml", content_types(sheets.size())},
        {"_rels/.rels", root_rels()},
        {"xl/_rels/workbook.xml.rels", workbook_rels(sheets.size())}};
    for (const auto& [name, xml] : head) {
        if (auto r = add(zip, name, xml); !r) {
            return r.error();
        }
    }
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        const auto name = "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml";
        if (auto r = zip.add(name, sheets[i].xml); !r) {
            return r.error();
        }
    }
    const std::pair<std::string, std::string> tail[] = {
        {"xl/workbook.xml", workbook(sheets)},
        {"xl/theme/theme1.xml", std::string(xlsx_theme_xml())},
        {"xl/styles.xml", styles()},
        {"docProps/core.xml", core(created_at)},
        {"docProps/app.xml", app(sheets)}};
    for (const auto& [name, xml] : tail) {
        if (auto r = add(zip, name, xml); !r) {
            return r.error();
        }
    }
    return zip.finish();
}

}  // namespace tally::server
