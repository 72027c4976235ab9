// The fixed parts of the XLSX package (see xlsx_parts.h).

#include "server/report/xlsx_parts.h"

#include "pairing/time_format.h"

namespace tally::server {
namespace {

constexpr const char* kXmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
constexpr const char* kRelNs =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
constexpr const char* kDocNs = "application/vnd.openxmlformats-officedocument.";

std::string rel(int id, const std::string& type, const std::string& target) {
    return "<Relationship Id=\"rId" + std::to_string(id) + "\" Type=\"" + type + "\" Target=\"" +
           target + "\"/>";
}

//! A sheet name as a formula reference: quoted when it holds anything but letters, digits, _.
std::string quoted_sheet(const std::string& name) {
    bool plain = true;
    for (const char c : name) {
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    }
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

}  // namespace

std::string xlsx_column_name(std::size_t column) {
    std::string name;
    for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) {
        name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
    }
    return name;
}

void xlsx_xml_escape(std::string& out, std::string_view text) {
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
}

std::string xlsx_content_types(std::size_t sheets) {
    const std::string doc = kDocNs;
    std::string x = kXmlHead;
    x += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
         "<Default Extension=\"rels\" "
         "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
         "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
         "<Override PartName=\"/docProps/app.xml\" ContentType=\"" +
         doc +
         "extended-properties+xml\"/>"
         "<Override PartName=\"/docProps/core.xml\" "
         "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
         "<Override PartName=\"/xl/styles.xml\" ContentType=\"" +
         doc +
         "spreadsheetml.styles+xml\"/>"
         "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" +
         doc + "spreadsheetml.sheet.main+xml\"/>";
    for (std::size_t i = 1; i <= sheets; ++i) {
        x += "<Override PartName=\"/xl/worksheets/sheet" + std::to_string(i) +
             ".xml\" ContentType=\"" + doc + "spreadsheetml.worksheet+xml\"/>";
    }
    return x + "</Types>";
}

std::string xlsx_root_rels() {
    const std::string pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
    const std::string off = kRelNs;
    return std::string(kXmlHead) + "<Relationships xmlns=\"" + pkg + "\">" +
           rel(1, off + "/officeDocument", "xl/workbook.xml") +
           rel(2, pkg + "/metadata/core-properties", "docProps/core.xml") +
           rel(3, off + "/extended-properties", "docProps/app.xml") + "</Relationships>";
}

std::string xlsx_workbook_rels(std::size_t sheets) {
    const std::string off = kRelNs;
    std::string x = std::string(kXmlHead) +
                    "<Relationships "
                    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
    for (std::size_t i = 1; i <= sheets; ++i) {
        x += rel(static_cast<int>(i), off + "/worksheet",
                 "worksheets/sheet" + std::to_string(i) + ".xml");
    }
    return x + rel(static_cast<int>(sheets + 1), off + "/styles", "styles.xml") +
           "</Relationships>";
}

std::string xlsx_workbook(const std::vector<XlsxSheetInfo>& sheets) {
    std::string x = kXmlHead;
    x += "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
         "xmlns:r=\"" +
         std::string(kRelNs) +
         "\"><fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>"
         "<workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" "
         "yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>";
    std::string names;
    for (std::size_t i = 0; i < sheets.size(); ++i) {
        const auto id = std::to_string(i + 1);
        x += "<sheet name=\"";
        xlsx_xml_escape(x, sheets[i].name);
        x += "\" sheetId=\"" + id + "\" r:id=\"rId" + id + "\"/>";
        if (!sheets[i].filter.empty()) {
            names += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"" +
                     std::to_string(i) + "\" hidden=\"1\">";
            xlsx_xml_escape(names, quoted_sheet(sheets[i].name) + "!" + sheets[i].filter);
            names += "</definedName>";
        }
    }
    x += "</sheets>";
    if (!names.empty()) {
        x += "<definedNames>" + names + "</definedNames>";
    }
    return x + "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>";
}

std::string xlsx_styles() {
    const std::string font = "<sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/>";
    return std::string(kXmlHead) +
           "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
           "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/>"
           "</numFmts><fonts count=\"2\"><font>" +
           font + "</font><font><b/>" + font +
           "</font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
           "<fill><patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\">"
           "<border><left/><right/><top/><bottom/><diagonal/></border></borders>"
           "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
           "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" "
           "fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" "
           "borderId=\"0\" xfId=\"0\" applyFont=\"1\"/><xf numFmtId=\"164\" fontId=\"0\" "
           "fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
           "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
           "</cellStyles><dxfs count=\"0\"/><tableStyles count=\"0\" "
           "defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>"
           "</styleSheet>";
}

std::string xlsx_core_properties(std::int64_t created) {
    const auto when = pairing::format_rfc3339(created);
    return std::string(kXmlHead) +
           "<cp:coreProperties "
           "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
           "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
           "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
           "xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:creator></dc:creator>"
           "<cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created "
           "xsi:type=\"dcterms:W3CDTF\">" +
           when + "</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">" + when +
           "</dcterms:modified></cp:coreProperties>";
}

std::string xlsx_app_properties(const std::vector<XlsxSheetInfo>& sheets) {
    const auto n = std::to_string(sheets.size());
    std::string x = std::string(kXmlHead) +
                    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    "extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/"
                    "officeDocument/2006/docPropsVTypes\"><Application>Microsoft Excel"
                    "</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
                    "<HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant>"
                    "<vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>" +
                    n +
                    "</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>"
                    "<vt:vector size=\"" +
                    n + "\" baseType=\"lpstr\">";
    for (const auto& s : sheets) {
        x += "<vt:lpstr>";
        xlsx_xml_escape(x, s.name);
        x += "</vt:lpstr>";
    }
    return x +
           "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>"
           "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
           "<AppVersion>12.0000</AppVersion></Properties>";
}

}  // namespace tally::server
